package dev.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key, defined once: its name, type, default, rules, flag and documentation line. The
 * YAML key, the {@code SLUICE_*} variable, the command-line option and the row of docs/configuration.md are
 * all derived from it.
 *
 * <pre>{@code
 * static final Key<Timeouts, Integer> CONNECT_MS = Key.of("connect_ms", Type.INTEGER, Timeouts::connectMs)
 *     .byDefault(2_000).positive().doc("TCP connect to an endpoint");
 * }</pre>
 *
 * @param <R> the record that holds the value
 * @param <T> the value's type
 */
public record Key<R, T>(String name, Type<T> type, Function<R, T> read, T fallback, boolean isRequired,
    List<Rule<T>> rules, String flag, String flagLabel, String doc) implements Member<R, T> {

  /** A rule on one value: null when the value is fine, else what is wrong ({@code must be > 0}). */
  @FunctionalInterface
  public interface Rule<T> {
    String problem(T value);
  }

  public Key {
    rules = List.copyOf(rules);
  }

  /**
   * A key of {@code type}, read back from its record by {@code read} (null when the record does not keep
   * it); no default (absent means null) until {@link #byDefault}.
   */
  public static <R, T> Key<R, T> of(String name, Type<T> type, Function<R, T> read) {
    return new Key<>(name, type, read, null, false, List.of(), null, null, "");
  }

  /** The value when the key is set nowhere. */
  public Key<R, T> byDefault(T value) {
    return new Key<>(name, type, read, value, isRequired, rules, flag, flagLabel, doc);
  }

  /** Absent is an error ({@code pools[0].context is required}). */
  public Key<R, T> required() {
    return new Key<>(name, type, read, fallback, true, rules, flag, flagLabel, doc);
  }

  /** A rule; {@code problem} completes the key's path: {@code must be a power of two}. */
  public Key<R, T> rule(Predicate<T> ok, String problem) {
    return rule(v -> ok.test(v) ? null : problem);
  }

  public Key<R, T> rule(Rule<T> rule) {
    List<Rule<T>> more = new ArrayList<>(rules);
    more.add(rule);
    return new Key<>(name, type, read, fallback, isRequired, more, flag, flagLabel, doc);
  }

  public Key<R, T> positive() {
    return rule(v -> type.size(v) > 0, "must be > 0");
  }

  public Key<R, T> atLeast(double min) {
    return rule(v -> type.size(v) >= min, "must be >= " + Type.number(min));
  }

  public Key<R, T> within(double min, double max) {
    return rule(v -> type.size(v) >= min && type.size(v) <= max,
        "must be within " + Type.number(min) + ".." + Type.number(max));
  }

  public Key<R, T> notBlank() {
    return rule(v -> !v.toString().isBlank(), "must not be empty");
  }

  /**
   * Also settable on the command line as {@code flag}; a boolean flag takes no value and sets true.
   *
   * @param label the value's placeholder in the usage text, e.g. {@code PORT}
   */
  public Key<R, T> flag(String flag, String label) {
    return new Key<>(name, type, read, fallback, isRequired, rules, flag, label, doc);
  }

  public Key<R, T> doc(String text) {
    return new Key<>(name, type, read, fallback, isRequired, rules, flag, flagLabel, text);
  }

  /** Applies the rules to a value outside any binding, for a record that checks its own components. */
  public T verify(T value) {
    String problem = problem(value);
    if (problem != null) {
      throw new Invalid(this, problem);
    }
    return value;
  }

  /** What is wrong with {@code value} by this key's rules, or null. */
  String problem(T value) {
    if (value == null) {
      return isRequired ? "is required" : null;
    }
    for (Rule<T> r : rules) {
      String p = r.problem(value);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /** A rule broken by this key's value, for a section factory or a record constructor to throw. */
  public Invalid invalid(String problem) {
    return new Invalid(this, problem);
  }

  T get(R record) {
    return read == null ? null : read.apply(record);
  }

  @Override
  public String toString() {
    return name;
  }
}
