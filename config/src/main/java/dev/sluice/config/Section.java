package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One mapping of the configuration and the record it builds: its members (keys, nested sections, lists,
 * maps), a factory from their values to the record, and the rules that tie several keys together.
 *
 * <pre>{@code
 * static final Section<Timeouts> SECTION = Section.of("timeouts",
 *     v -> new Timeouts(v.get(CONNECT_MS), v.get(FIRST_BYTE_MS)), CONNECT_MS, FIRST_BYTE_MS);
 * }</pre>
 *
 * <p>A factory may throw {@link Invalid} (through {@link Key#invalid}) for a value it cannot use; the message
 * then gets the key's full path like every other.
 *
 * @param <R> the record
 */
public final class Section<R> {

  /** A rule on the whole record, reported at {@code member} (at the section itself when null). */
  /** A rule over several keys: {@code problem} says what is wrong with a record, or null when nothing is. */
  record Rule<R>(Function<R, String> problem, Member<R, ?> member) {
  }

  private final String name;
  private final Function<Values, R> build;
  private final List<Member<R, ?>> members;
  private final List<Rule<R>> rules;
  private final String title;
  private final String doc;

  private Section(String name, Function<Values, R> build, List<Member<R, ?>> members, List<Rule<R>> rules,
      String title, String doc) {
    this.name = name;
    this.build = build;
    this.members = List.copyOf(members);
    this.rules = List.copyOf(rules);
    this.title = title;
    this.doc = doc;
  }

  /**
   * @param name    its key in the enclosing mapping; null for the top level and for list items
   * @param build   the record from the members' values
   * @param members in the order the reference lists them
   */
  @SafeVarargs
  public static <R> Section<R> of(String name, Function<Values, R> build, Member<R, ?>... members) {
    return new Section<>(name, build, List.of(members), List.of(), null, "");
  }

  /** A rule over several keys, reported at {@code member}'s path: {@code must be >= base_ejection_ms}. */
  public Section<R> rule(Predicate<R> ok, Member<R, ?> member, String problem) {
    return rule(value -> ok.test(value) ? null : problem, member);
  }

  /** A rule whose problem names what it found ({@code 'lng' is not a pool}); null: the record is fine. */
  public Section<R> rule(Function<R, String> problem, Member<R, ?> member) {
    List<Rule<R>> more = new ArrayList<>(rules);
    more.add(new Rule<>(problem, member));
    return new Section<>(name, build, members, more, title, doc);
  }

  /** Its heading and introduction in the reference (a section's own keys are listed under its parent's). */
  public Section<R> doc(String heading, String text) {
    return new Section<>(name, build, members, rules, heading, text);
  }

  public String name() {
    return name;
  }

  /** Its heading in the reference, or null when it is listed with its parent's keys. */
  public String title() {
    return title;
  }

  public String doc() {
    return doc;
  }

  /**
   * The record with every key at its default, before the rules that ask for more (a list that must not be
   * empty); fails when a key is required.
   */
  public R defaults() {
    return Binder.bind(this, null, path(), null, Binder.Context.DEFAULTS, true);
  }

  /** Binds and checks {@code node} (null: an empty mapping), found at this section's own key. */
  public R bind(JsonNode node) {
    return Binder.bind(this, node, path(), null, Binder.Context.PLAIN, true);
  }

  /** Checks every rule of {@code value} and of the sections in it; returns it. */
  public R check(R value) {
    Binder.check(this, value, path());
    return value;
  }

  /**
   * A copy of {@code value} with {@code member} changed, built by the section's factory from the others'
   * current values (not checked: {@link #check} it when it matters). One way to write a record's withers.
   */
  public <T> R with(R value, Member<R, T> member, T changed) {
    Values values = Binder.valuesOf(members, value);
    values.put(member, changed, true);
    return build(values);
  }

  List<Member<R, ?>> members() {
    return members;
  }

  List<Rule<R>> rules() {
    return rules;
  }

  R build(Values values) {
    return build.apply(values);
  }

  private String path() {
    return name == null ? "" : name + ".";
  }
}
