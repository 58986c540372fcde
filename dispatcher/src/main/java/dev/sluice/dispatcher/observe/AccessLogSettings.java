package dev.sluice.dispatcher.observe;

/**
 * The {@code access_log:} section.
 *
 * @param enabled write one JSON line per request to standard output
 * @param queue   records waiting for the writer thread; past it lines are dropped and counted
 */
public record AccessLogSettings(boolean enabled, int queue) {
  public static final int DEFAULT_QUEUE = 8192;
  public static final AccessLogSettings DEFAULTS = new AccessLogSettings(true, DEFAULT_QUEUE);
  public static final AccessLogSettings OFF = new AccessLogSettings(false, DEFAULT_QUEUE);
}
