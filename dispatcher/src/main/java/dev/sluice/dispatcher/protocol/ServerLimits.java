package dev.sluice.dispatcher.protocol;

/**
 * Wire-level limits of the client-facing HTTP server. Defaults follow the edge practice of Envoy and
 * HAProxy (see docs/reliability.md): a 10 s deadline to finish request headers, 60 s idle connections,
 * Vert.x's 4 KiB request line and 8 KiB header block, and no cleartext HTTP/2.
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

  public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 4096;
  public static final int DEFAULT_MAX_HEADER_SIZE = 8192;
  public static final long DEFAULT_HEADER_DEADLINE_MILLIS = 10_000;
  public static final long DEFAULT_BODY_DEADLINE_MILLIS = 60_000;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

  public static final ServerLimits DEFAULTS = new ServerLimits(
      DEFAULT_MAX_INITIAL_LINE_LENGTH,
      DEFAULT_MAX_HEADER_SIZE,
      DEFAULT_HEADER_DEADLINE_MILLIS,
      DEFAULT_BODY_DEADLINE_MILLIS,
      DEFAULT_IDLE_TIMEOUT_SECONDS,
      false);

  public ServerLimits {
    if (maxInitialLineLength < 256) {
      throw new IllegalArgumentException("server.maxInitialLineLength must be >= 256, got " + maxInitialLineLength);
    }
    if (maxHeaderSize < 1024) {
      throw new IllegalArgumentException("server.maxHeaderSize must be >= 1024, got " + maxHeaderSize);
    }
    if (headerDeadlineMillis <= 0) {
      throw new IllegalArgumentException("server.headerDeadlineMillis must be > 0, got " + headerDeadlineMillis);
    }
    if (bodyDeadlineMillis <= 0) {
      throw new IllegalArgumentException("server.bodyDeadlineMillis must be > 0, got " + bodyDeadlineMillis);
    }
    if (idleTimeoutSeconds < 0) {
      throw new IllegalArgumentException("server.idleTimeoutSeconds must be >= 0, got " + idleTimeoutSeconds);
    }
  }

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
