package dev.sluice.dispatcher.protocol;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * Wire-level limits of the client-facing HTTP server: the {@code reliability.server:} section. Defaults
 * follow the edge practice of Envoy and HAProxy (see docs/reliability.md): a 10 s deadline to finish
 * request headers, 60 s idle connections, Vert.x's 4 KiB request line and 8 KiB header block, and no
 * cleartext HTTP/2.
 *
 * @param maxInitialLineLength request line cap in bytes; longer gets 414
 * @param maxHeaderSize        header block cap in bytes; larger gets 431
 * @param headerDeadlineMillis time a connection has to complete a request's headers (on connect, and
 *                             again once the previous response ended); past it the connection closes
 * @param bodyDeadlineMillis   time a request has, from its headers, to deliver its whole body; past it 408 + close
 * @param idleTimeoutSeconds   close a connection with no read or write for this long; 0 disables. The
 *                             front raises it above the upstream first-byte and stream-idle timeouts
 *                             (see {@link #coveringUpstreamSilence})
 * @param h2cEnabled           accept cleartext HTTP/2 (prior knowledge or Upgrade: h2c)
 */
public record ServerLimits(
    int maxInitialLineLength,
    int maxHeaderSize,
    long headerDeadlineMillis,
    long bodyDeadlineMillis,
    int idleTimeoutSeconds,
    boolean h2cEnabled) {

  static final Key<ServerLimits, Integer> MAX_INITIAL_LINE_LENGTH = Key.of("max_initial_line_length", Type.INTEGER,
      ServerLimits::maxInitialLineLength).byDefault(4096).atLeast(256).doc("longest request line (414 beyond)");
  static final Key<ServerLimits, Integer> MAX_HEADER_SIZE = Key.of("max_header_size", Type.INTEGER,
      ServerLimits::maxHeaderSize).byDefault(8192).atLeast(1024).doc("largest header block (431 beyond)");
  static final Key<ServerLimits, Long> HEADER_DEADLINE_MS = Key.of("header_deadline_ms", Type.LONG,
      ServerLimits::headerDeadlineMillis).byDefault(10_000L).positive()
      .doc("time for a client to send its headers (slowloris)");
  static final Key<ServerLimits, Long> BODY_DEADLINE_MS = Key.of("body_deadline_ms", Type.LONG,
      ServerLimits::bodyDeadlineMillis).byDefault(60_000L).positive()
      .doc("time for a client to send its body; then 408 and the connection closes");
  static final Key<ServerLimits, Integer> IDLE_TIMEOUT_S = Key.of("idle_timeout_s", Type.INTEGER,
      ServerLimits::idleTimeoutSeconds).byDefault(60).atLeast(0)
      .doc("idle client connections are closed after this (raised to cover the upstream timeouts); 0: never");
  static final Key<ServerLimits, Boolean> H2C = Key.of("h2c", Type.BOOLEAN, ServerLimits::h2cEnabled).byDefault(false)
      .doc("accept HTTP/2 over cleartext");

  /** The {@code reliability.server:} section. */
  public static final Section<ServerLimits> SECTION = Section.of("server",
      v -> new ServerLimits(v.get(MAX_INITIAL_LINE_LENGTH), v.get(MAX_HEADER_SIZE), v.get(HEADER_DEADLINE_MS),
          v.get(BODY_DEADLINE_MS), v.get(IDLE_TIMEOUT_S), v.get(H2C)),
      MAX_INITIAL_LINE_LENGTH, MAX_HEADER_SIZE, HEADER_DEADLINE_MS, BODY_DEADLINE_MS, IDLE_TIMEOUT_S, H2C);

  public static final ServerLimits DEFAULTS = SECTION.defaults();

  public ServerLimits withHeaderDeadlineMillis(long millis) {
    return new ServerLimits(maxInitialLineLength, maxHeaderSize, millis, bodyDeadlineMillis, idleTimeoutSeconds, h2cEnabled);
  }

  public ServerLimits withBodyDeadlineMillis(long millis) {
    return new ServerLimits(maxInitialLineLength, maxHeaderSize, headerDeadlineMillis, millis, idleTimeoutSeconds, h2cEnabled);
  }

  /**
   * These limits with the idle timeout raised, if needed, above the longest time a healthy exchange
   * may write nothing to its client: before the first byte (a long prefill) the client connection is
   * silent both ways, and an idle timeout shorter than the first-byte timeout would cut it.
   */
  public ServerLimits coveringUpstreamSilence(long longestSilenceMillis) {
    if (idleTimeoutSeconds == 0) {
      return this;
    }
    int needed = (int) Math.min(Integer.MAX_VALUE, (longestSilenceMillis + 999) / 1000 + 1);
    return needed <= idleTimeoutSeconds ? this : withIdleTimeoutSeconds(needed);
  }

  public ServerLimits withH2c(boolean enabled) {
    return new ServerLimits(maxInitialLineLength, maxHeaderSize, headerDeadlineMillis, bodyDeadlineMillis,
        idleTimeoutSeconds, enabled);
  }

  public ServerLimits withIdleTimeoutSeconds(int seconds) {
    return new ServerLimits(maxInitialLineLength, maxHeaderSize, headerDeadlineMillis, bodyDeadlineMillis, seconds, h2cEnabled);
  }
}
