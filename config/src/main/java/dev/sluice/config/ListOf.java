package dev.sluice.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A list of mappings, each bound by one section and checked at its own path ({@code pools[1].context}),
 * with rules on the list as a whole: not empty, a key unique across the items.
 *
 * @param <R> the enclosing record
 * @param <S> one item's record
 */
public record ListOf<R, S>(String name, Section<S> item, Function<R, List<S>> read, String emptyProblem,
    List<Unique<S, ?>> unique, Sub<R, ?> fallback, String flag, String flagLabel, ItemParser flagParser,
    Key<S, ?> flagMergeKey, String doc) implements Member<R, List<S>> {

  /** Reads one flag value, e.g. {@code short=8192@http://h:1}, into an item of the list. */
  @FunctionalInterface
  public interface ItemParser {
    ObjectNode parse(String flagValue);
  }

  /** No two items share a value of {@code key}. */
  record Unique<S, T>(Key<S, T> key, Function<T, String> problem) {
  }

  public ListOf {
    unique = List.copyOf(unique);
  }

  public static <R, S> ListOf<R, S> of(String name, Section<S> item, Function<R, List<S>> read) {
    return new ListOf<>(name, item, read, null, List.of(), null, null, null, null, null, "");
  }

  /** An empty or absent list is an error; {@code problem} completes the list's key. */
  public ListOf<R, S> nonEmpty(String problem) {
    return new ListOf<>(name, item, read, problem, unique, fallback, flag, flagLabel, flagParser, flagMergeKey, doc);
  }

  /** No two items share a value of {@code key}; {@code problem} of the repeated value completes its path. */
  public <T> ListOf<R, S> unique(Key<S, T> key, Function<T, String> problem) {
    List<Unique<S, ?>> more = new ArrayList<>(unique);
    more.add(new Unique<>(key, problem));
    return new ListOf<>(name, item, read, emptyProblem, more, fallback, flag, flagLabel, flagParser, flagMergeKey, doc);
  }

  /** A key an item does not set takes the value of the same key in the sibling section {@code defaults}. */
  public ListOf<R, S> defaultsFrom(Sub<R, ?> defaults) {
    return new ListOf<>(name, item, read, emptyProblem, unique, defaults, flag, flagLabel, flagParser, flagMergeKey,
        doc);
  }

  /**
   * A repeatable flag that adds an item, replacing the item with the same {@code mergeKey} value, if any.
   */
  public ListOf<R, S> flag(String flag, String label, ItemParser parser, Key<S, ?> mergeKey) {
    return new ListOf<>(name, item, read, emptyProblem, unique, fallback, flag, label, parser, mergeKey, doc);
  }

  public ListOf<R, S> doc(String text) {
    return new ListOf<>(name, item, read, emptyProblem, unique, fallback, flag, flagLabel, flagParser, flagMergeKey,
        text);
  }

  boolean required() {
    return emptyProblem != null;
  }

  List<S> get(R record) {
    return read == null ? null : read.apply(record);
  }

  /** The list rules, at {@code path} (the list's own key); items were checked on their own. */
  void check(List<S> items, String path) {
    if (emptyProblem != null && items.isEmpty()) {
      throw new ConfigException(Invalid.at(path, emptyProblem));
    }
    for (Unique<S, ?> u : unique) {
      checkUnique(u, items, path);
    }
  }

  private static <S, T> void checkUnique(Unique<S, T> u, List<S> items, String path) {
    Set<T> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      T v = u.key().get(items.get(i));
      if (v != null && !seen.add(v)) {
        throw new ConfigException(Invalid.at(path + "[" + i + "]." + u.key().name(), u.problem().apply(v)));
      }
    }
  }
}
