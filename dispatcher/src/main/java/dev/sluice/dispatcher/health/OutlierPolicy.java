package dev.sluice.dispatcher.health;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * Passive outlier ejection and active probing settings: the {@code reliability.health:} section.
 * Defaults are Envoy's outlier-detection defaults (5 consecutive failures, 30 s base ejection growing
 * with each ejection) with a larger ejection share, because LLM pools are small: with two replicas,
 * Envoy's 10 % would still allow one ejection, and so does 50 % here, but never the last one.
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

  static final Key<OutlierPolicy, Integer> CONSECUTIVE_FAILURES = Key.of("consecutive_failures", Type.INTEGER,
      OutlierPolicy::consecutiveFailures).byDefault(5).atLeast(1)
      .doc("faults in a row before an endpoint is ejected");
  static final Key<OutlierPolicy, Long> BASE_EJECTION_MS = Key.of("base_ejection_ms", Type.LONG,
      OutlierPolicy::baseEjectionMillis).byDefault(30_000L).positive()
      .doc("first ejection length (the n-th ejection lasts n times this)");
  static final Key<OutlierPolicy, Long> MAX_EJECTION_MS = Key.of("max_ejection_ms", Type.LONG,
      OutlierPolicy::maxEjectionMillis).byDefault(300_000L).doc("longest ejection");
  static final Key<OutlierPolicy, Double> MAX_EJECTION_SHARE = Key.of("max_ejection_share", Type.NUMBER,
      OutlierPolicy::maxEjectionShare).byDefault(0.5).within(0, 1)
      .doc("at most this share of a pool is ejected at once (one endpoint may always be, never the last)");
  static final Key<OutlierPolicy, Long> PROBE_INTERVAL_MS = Key.of("probe_interval_ms", Type.LONG,
      OutlierPolicy::probeIntervalMillis).byDefault(5_000L).atLeast(0)
      .doc("active `GET /health` probe period per endpoint; 0: no probing");
  static final Key<OutlierPolicy, Long> PROBE_TIMEOUT_MS = Key.of("probe_timeout_ms", Type.LONG,
      OutlierPolicy::probeTimeoutMillis).byDefault(2_000L).positive().doc("probe timeout");
  static final Key<OutlierPolicy, Integer> UNHEALTHY_THRESHOLD = Key.of("unhealthy_threshold", Type.INTEGER,
      OutlierPolicy::unhealthyThreshold).byDefault(2).atLeast(1)
      .doc("failed probes before an endpoint is marked down");
  static final Key<OutlierPolicy, Integer> HEALTHY_THRESHOLD = Key.of("healthy_threshold", Type.INTEGER,
      OutlierPolicy::healthyThreshold).byDefault(1).atLeast(1)
      .doc("passed probes before it is marked up again");
  static final Key<OutlierPolicy, Long> SCRAPE_INTERVAL_MS = Key.of("scrape_interval_ms", Type.LONG,
      OutlierPolicy::scrapeIntervalMillis).byDefault(1_000L).atLeast(0)
      .doc("scrape of each endpoint's vLLM `/metrics` (queue and KV-cache load); 0: no scraping");
  static final Key<OutlierPolicy, Long> LOAD_STALE_MS = Key.of("load_stale_ms", Type.LONG,
      OutlierPolicy::loadStaleMillis).byDefault(5_000L).positive().doc("scraped load older than this is ignored");

  /** The {@code reliability.health:} section. */
  public static final Section<OutlierPolicy> SECTION = Section.of("health",
          v -> new OutlierPolicy(v.get(CONSECUTIVE_FAILURES), v.get(BASE_EJECTION_MS), v.get(MAX_EJECTION_MS),
              v.get(MAX_EJECTION_SHARE), v.get(PROBE_INTERVAL_MS), v.get(PROBE_TIMEOUT_MS),
              v.get(UNHEALTHY_THRESHOLD), v.get(HEALTHY_THRESHOLD), v.get(SCRAPE_INTERVAL_MS), v.get(LOAD_STALE_MS)),
          CONSECUTIVE_FAILURES, BASE_EJECTION_MS, MAX_EJECTION_MS, MAX_EJECTION_SHARE, PROBE_INTERVAL_MS,
          PROBE_TIMEOUT_MS, UNHEALTHY_THRESHOLD, HEALTHY_THRESHOLD, SCRAPE_INTERVAL_MS, LOAD_STALE_MS)
      .rule(p -> p.maxEjectionMillis >= p.baseEjectionMillis, MAX_EJECTION_MS,
          "must be >= " + BASE_EJECTION_MS.name());

  public static final OutlierPolicy DEFAULTS = SECTION.defaults();

  public OutlierPolicy withEjection(int failures, long baseMillis, long maxMillis) {
    return new OutlierPolicy(failures, baseMillis, maxMillis, maxEjectionShare, probeIntervalMillis,
        probeTimeoutMillis, unhealthyThreshold, healthyThreshold, scrapeIntervalMillis, loadStaleMillis);
  }

  public OutlierPolicy withProbing(long intervalMillis, long timeoutMillis, long scrapeMillis) {
    return new OutlierPolicy(consecutiveFailures, baseEjectionMillis, maxEjectionMillis, maxEjectionShare,
        intervalMillis, timeoutMillis, unhealthyThreshold, healthyThreshold, scrapeMillis, loadStaleMillis);
  }
}
