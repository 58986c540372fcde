package dev.sluice.config;

/**
 * One entry of a section: a {@link Key}, a nested section ({@link Sub}), a mapping of keys that belong to
 * the enclosing record ({@link Group}), a list of sections ({@link ListOf}) or a mapping of names to values
 * ({@link MapOf}).
 *
 * @param <R> the record the enclosing section builds
 * @param <T> the value this member gives that record
 */
public interface Member<R, T> {
  /** Its name in the enclosing mapping; null for a section inlined into it. */
  String name();

  /** One line for the configuration reference (markdown allowed). */
  String doc();
}
