package dev.sluice.dispatcher.reliability;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.admission.RetryBudget;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.lifecycle.Drain;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ImagePolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every reliability and security setting of a node, with safe defaults (see docs/reliability.md).
 *
 * @param server           wire limits and connection deadlines of the client-facing server
 * @param health           outlier ejection, probing and scraping
 * @param admission        per-pool in-flight bound and wait line
 * @param retryRatio       retries in progress per request in flight (Envoy's retry budget)
 * @param retryMin         retries always allowed, whatever the traffic
 * @param spillOver        let a request whose pool is saturated use the next larger pool
 * @param keys             client API keys (hashed); empty = authentication off
 * @param images           policy for image URLs that vLLM would fetch
 * @param drainGrace       how long SIGTERM waits for in-flight streams
 * @param upstreamKeys     pool name → bearer key Sluice presents to that pool's endpoints (vLLM's
 *                         {@code --api-key}); resolved from the environment at load time
 */
public record ReliabilityConfig(
    ServerLimits server,
    OutlierPolicy health,
    AdmissionPolicy admission,
    double retryRatio,
    int retryMin,
    boolean spillOver,
    List<ApiKey> keys,
    ImagePolicy images,
    Duration drainGrace,
    Map<String, String> upstreamKeys) {

  public static final ReliabilityConfig DEFAULTS = new ReliabilityConfig(
      ServerLimits.DEFAULTS, OutlierPolicy.DEFAULTS, AdmissionPolicy.DEFAULTS,
      RetryBudget.DEFAULT_RATIO, RetryBudget.DEFAULT_MIN_CONCURRENT, false, List.of(),
      ImagePolicy.REJECT_REMOTE, Drain.DEFAULT_GRACE, Map.of());

  public ReliabilityConfig {
    keys = List.copyOf(keys);
    upstreamKeys = Map.copyOf(upstreamKeys);
  }

  public ReliabilityConfig withUpstreamKeys(Map<String, String> value) {
    return new ReliabilityConfig(server, health, admission, retryRatio, retryMin, spillOver, keys, images, drainGrace, value);
  }

  public ReliabilityConfig withServer(ServerLimits value) {
    return new ReliabilityConfig(value, health, admission, retryRatio, retryMin, spillOver, keys, images, drainGrace, upstreamKeys);
  }

  public ReliabilityConfig withHealth(OutlierPolicy value) {
    return new ReliabilityConfig(server, value, admission, retryRatio, retryMin, spillOver, keys, images, drainGrace, upstreamKeys);
  }

  public ReliabilityConfig withAdmission(AdmissionPolicy value) {
    return new ReliabilityConfig(server, health, value, retryRatio, retryMin, spillOver, keys, images, drainGrace, upstreamKeys);
  }

  public ReliabilityConfig withKeys(List<ApiKey> value) {
    return new ReliabilityConfig(server, health, admission, retryRatio, retryMin, spillOver, value, images, drainGrace, upstreamKeys);
  }

  public ReliabilityConfig withImages(ImagePolicy value) {
    return new ReliabilityConfig(server, health, admission, retryRatio, retryMin, spillOver, keys, value, drainGrace, upstreamKeys);
  }

  public ReliabilityConfig withSpillOver(boolean value) {
    return new ReliabilityConfig(server, health, admission, retryRatio, retryMin, value, keys, images, drainGrace, upstreamKeys);
  }

  public ReliabilityConfig withDrainGrace(Duration value) {
    return new ReliabilityConfig(server, health, admission, retryRatio, retryMin, spillOver, keys, images, value, upstreamKeys);
  }
}
