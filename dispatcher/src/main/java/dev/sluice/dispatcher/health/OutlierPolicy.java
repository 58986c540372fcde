package dev.sluice.dispatcher.health;

/**
 * Passive outlier ejection and active probing settings. Defaults are Envoy's outlier-detection
 * defaults (5 consecutive failures, 30 s base ejection growing with each ejection) with a larger
 * ejection share, because LLM pools are small: with two replicas, Envoy's 10 % would still allow one
 * ejection, and so does 50 % here, but never the last one.
 *
 * @param consecutiveFailures  failures in a row that eject an endpoint
 * @param baseEjectionMillis   first ejection length; the n-th ejection lasts n times this
 * @param maxEjectionMillis    cap on one ejection's length
 * @param maxEjectionShare     largest fraction of a pool that may be ejected at once (at least one
 *                             endpoint may always be ejected, but never the last available one)
 * @param probeIntervalMillis  period of the active {@code GET /health} probe; 0 disables probing
 * @param probeTimeoutMillis   a probe slower than this fails
 * @param unhealthyThreshold   consecutive failed probes that mark an endpoint down
 * @param healthyThreshold     consecutive passed probes that bring it back
 * @param scrapeIntervalMillis period of the {@code /metrics} scrape; 0 disables scraping
 * @param loadStaleMillis      a load snapshot older than this is ignored
 */
public record OutlierPolicy(
    int consecutiveFailures,
    long baseEjectionMillis,
    long maxEjectionMillis,
    double maxEjectionShare,
    long probeIntervalMillis,
    long probeTimeoutMillis,
    int unhealthyThreshold,
    int healthyThreshold,
    long scrapeIntervalMillis,
    long loadStaleMillis) {

  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  public static final long DEFAULT_BASE_EJECTION_MILLIS = 30_000;
  public static final long DEFAULT_MAX_EJECTION_MILLIS = 300_000;
  public static final double DEFAULT_MAX_EJECTION_SHARE = 0.5;
  public static final long DEFAULT_PROBE_INTERVAL_MILLIS = 5_000;
  public static final long DEFAULT_PROBE_TIMEOUT_MILLIS = 2_000;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
  public static final int DEFAULT_HEALTHY_THRESHOLD = 1;
  public static final long DEFAULT_SCRAPE_INTERVAL_MILLIS = 1_000;
  public static final long DEFAULT_LOAD_STALE_MILLIS = 5_000;

  public static final OutlierPolicy DEFAULTS = new OutlierPolicy(
      DEFAULT_CONSECUTIVE_FAILURES, DEFAULT_BASE_EJECTION_MILLIS, DEFAULT_MAX_EJECTION_MILLIS,
      DEFAULT_MAX_EJECTION_SHARE, DEFAULT_PROBE_INTERVAL_MILLIS, DEFAULT_PROBE_TIMEOUT_MILLIS,
      DEFAULT_UNHEALTHY_THRESHOLD, DEFAULT_HEALTHY_THRESHOLD, DEFAULT_SCRAPE_INTERVAL_MILLIS,
      DEFAULT_LOAD_STALE_MILLIS);

  public OutlierPolicy {
    require(consecutiveFailures >= 1, "health.consecutive_failures must be >= 1");
    require(baseEjectionMillis > 0, "health.base_ejection_ms must be > 0");
    require(maxEjectionMillis >= baseEjectionMillis, "health.max_ejection_ms must be >= base_ejection_ms");
    require(maxEjectionShare >= 0 && maxEjectionShare <= 1, "health.max_ejection_share must be in [0,1]");
    require(probeIntervalMillis >= 0, "health.probe_interval_ms must be >= 0");
    require(probeTimeoutMillis > 0, "health.probe_timeout_ms must be > 0");
    require(unhealthyThreshold >= 1, "health.unhealthy_threshold must be >= 1");
    require(healthyThreshold >= 1, "health.healthy_threshold must be >= 1");
    require(scrapeIntervalMillis >= 0, "health.scrape_interval_ms must be >= 0");
    require(loadStaleMillis > 0, "health.load_stale_ms must be > 0");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public OutlierPolicy withEjection(int failures, long baseMillis, long maxMillis) {
    return new OutlierPolicy(failures, baseMillis, maxMillis, maxEjectionShare, probeIntervalMillis,
        probeTimeoutMillis, unhealthyThreshold, healthyThreshold, scrapeIntervalMillis, loadStaleMillis);
  }

  public OutlierPolicy withProbing(long intervalMillis, long timeoutMillis, long scrapeMillis) {
    return new OutlierPolicy(consecutiveFailures, baseEjectionMillis, maxEjectionMillis, maxEjectionShare,
        intervalMillis, timeoutMillis, unhealthyThreshold, healthyThreshold, scrapeMillis, loadStaleMillis);
  }
}
