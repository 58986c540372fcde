package dev.sluice.config;

import java.util.Map;
import java.util.function.Function;

/**
 * A mapping from names the user chooses to values of one type ({@code logging.loggers}) or to sections
 * ({@code reliability.security.upstream_keys}). Set only in the file: its names cannot be spelled as
 * {@code SLUICE_*} variables.
 *
 * @param <R> the enclosing record
 * @param <T> one entry's value
 */
public record MapOf<R, T>(String name, Type<T> type, Section<T> section, Function<R, Map<String, T>> read,
    String entryName, String doc) implements Member<R, Map<String, T>> {

  /** Names to values of {@code type}. */
  public static <R, T> MapOf<R, T> of(String name, Type<T> type, Function<R, Map<String, T>> read) {
    return new MapOf<>(name, type, null, read, "name", "");
  }

  /** Names to mappings bound by {@code section}; {@code entryName} stands for a name in the reference. */
  public static <R, T> MapOf<R, T> of(String name, Section<T> section, String entryName,
      Function<R, Map<String, T>> read) {
    return new MapOf<>(name, null, section, read, entryName, "");
  }

  public MapOf<R, T> doc(String text) {
    return new MapOf<>(name, type, section, read, entryName, text);
  }

  Map<String, T> get(R record) {
    return read == null ? null : read.apply(record);
  }
}
