package dev.sluice.config;

import java.util.List;

/**
 * A mapping of keys that has no record of its own: its keys fill the enclosing record, e.g.
 * {@code retry_budget: {ratio, min}} or {@code logging: {level, loggers}}.
 *
 * @param <R> the enclosing record
 */
public record Group<R>(String name, List<Member<R, ?>> members) implements Member<R, Void> {

  public Group {
    members = List.copyOf(members);
  }

  @SafeVarargs
  public static <R> Group<R> of(String name, Member<R, ?>... members) {
    return new Group<>(name, List.of(members));
  }

  @Override
  public String doc() {
    return "";
  }
}
