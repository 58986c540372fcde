package dev.sluice.config;

import java.util.function.Function;

/**
 * A nested section: a mapping under the section's own name ({@code timeouts:}), or, inlined, the section's
 * keys at the level of the enclosing one (the top-level keys, or a pool's client limits among its own keys).
 *
 * @param section    the nested section
 * @param read       reads it back from the enclosing record; null when that record does not keep it (a
 *                   section that only holds defaults for others)
 * @param inline     its keys stand among the enclosing section's own
 * @param isOptional absent from the file means null rather than the section's defaults
 * @param <R> the enclosing record
 * @param <S> the nested record
 */
public record Sub<R, S>(Section<S> section, Function<R, S> read, boolean inline, boolean isOptional)
    implements Member<R, S> {

  /** The section under its name. */
  public static <R, S> Sub<R, S> of(Section<S> section, Function<R, S> read) {
    return new Sub<>(section, read, false, false);
  }

  /** The section's keys among the enclosing section's own. */
  public static <R, S> Sub<R, S> inline(Section<S> section, Function<R, S> read) {
    return new Sub<>(section, read, true, false);
  }

  public Sub<R, S> optional() {
    return new Sub<>(section, read, inline, true);
  }

  @Override
  public String name() {
    return inline ? null : section.name();
  }

  @Override
  public String doc() {
    return section.doc();
  }

  S get(R record) {
    return read == null ? null : read.apply(record);
  }
}
