package dev.sluice.dispatcher.observe;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * The {@code access_log:} section.
 *
 * @param enabled write one JSON line per request to standard output
 * @param queue   records waiting for the writer thread; past it lines are dropped and counted
 */
public record AccessLogSettings(boolean enabled, int queue) {
  static final Key<AccessLogSettings, Boolean> ENABLED = Key.of("enabled", Type.BOOLEAN, AccessLogSettings::enabled)
      .byDefault(true).doc("one JSON line per request to the API, refusals included, on standard output");
  static final Key<AccessLogSettings, Integer> QUEUE = Key.of("queue", Type.INTEGER, AccessLogSettings::queue)
      .byDefault(8192).positive()
      .doc("lines waiting for the writer thread; when full, lines are dropped and counted "
          + "(`sluice_access_log_dropped_total`), requests never wait");

  public static final Section<AccessLogSettings> SECTION = Section.of("access_log",
      v -> new AccessLogSettings(v.get(ENABLED), v.get(QUEUE)), ENABLED, QUEUE);

  public static final AccessLogSettings DEFAULTS = SECTION.defaults();
  public static final AccessLogSettings OFF = new AccessLogSettings(false, DEFAULTS.queue());
}
