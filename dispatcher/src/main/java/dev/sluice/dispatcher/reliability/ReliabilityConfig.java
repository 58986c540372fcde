package dev.sluice.dispatcher.reliability;

import dev.sluice.config.Group;
import dev.sluice.config.Key;
import dev.sluice.config.ListOf;
import dev.sluice.config.MapOf;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.config.Type;
import dev.sluice.config.Values;
import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ImagePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every reliability and security setting of a node, with safe defaults: the {@code reliability:} section
 * (see docs/reliability.md).
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

  static final Sub<ReliabilityConfig, ServerLimits> SERVER = Sub.of(ServerLimits.SECTION, ReliabilityConfig::server);
  static final Sub<ReliabilityConfig, OutlierPolicy> HEALTH = Sub.of(OutlierPolicy.SECTION, ReliabilityConfig::health);
  static final Sub<ReliabilityConfig, AdmissionPolicy> ADMISSION = Sub.of(AdmissionPolicy.SECTION,
      ReliabilityConfig::admission);
  static final Key<ReliabilityConfig, Double> RETRY_RATIO = Key.of("ratio", Type.NUMBER, ReliabilityConfig::retryRatio)
      .byDefault(0.2).atLeast(0).doc("retries in progress per request in flight");
  static final Key<ReliabilityConfig, Integer> RETRY_MIN = Key.of("min", Type.INTEGER, ReliabilityConfig::retryMin)
      .byDefault(3).atLeast(0).doc("retries always allowed");
  static final Key<ReliabilityConfig, Boolean> SPILL_OVER =
      Key.of("spill_over", Type.BOOLEAN, ReliabilityConfig::spillOver)
      .byDefault(false).doc("a request whose pool is saturated may use the next larger pool");
  static final Key<ReliabilityConfig, Duration> DRAIN_GRACE_MS = Key.of("drain_grace_ms", Type.MILLIS,
      ReliabilityConfig::drainGrace).byDefault(Duration.ofSeconds(30)).atLeast(0)
      .doc("on SIGTERM, how long open streams may finish");
  static final Key<ReliabilityConfig, ImagePolicy> IMAGE_URLS = Key.of("image_urls",
          Type.choice(imageWords()), ReliabilityConfig::images).byDefault(ImagePolicy.REJECT_REMOTE)
      .doc("`reject` or `allow` remote image URLs vLLM would fetch");
  static final ListOf<ReliabilityConfig, ApiKey> KEYS = ListOf.of("keys", ApiKey.SECTION, ReliabilityConfig::keys)
      .doc("client keys; none: authentication off");
  static final Key<String, String> UPSTREAM_KEY_ENV = Key.<String, String>of("env", Type.TEXT, null).required()
      .doc("the environment variable that holds the bearer key Sluice presents to that pool's vLLM (`--api-key`)");
  static final MapOf<ReliabilityConfig, String> UPSTREAM_KEYS = MapOf.of("upstream_keys",
          Section.of(null, ReliabilityConfig::upstreamKey, UPSTREAM_KEY_ENV), "pool", ReliabilityConfig::upstreamKeys)
      .doc("per pool name, where the key Sluice presents to that pool's endpoints comes from");

  /** The {@code reliability:} section. */
  public static final Section<ReliabilityConfig> SECTION = Section.of("reliability",
          v -> new ReliabilityConfig(v.get(SERVER), v.get(HEALTH), v.get(ADMISSION), v.get(RETRY_RATIO),
              v.get(RETRY_MIN), v.get(SPILL_OVER), v.get(KEYS), v.get(IMAGE_URLS), v.get(DRAIN_GRACE_MS),
              v.get(UPSTREAM_KEYS)),
          SERVER, HEALTH, ADMISSION, Group.of("retry_budget", RETRY_RATIO, RETRY_MIN), SPILL_OVER, DRAIN_GRACE_MS,
          Group.of("security", IMAGE_URLS, KEYS, UPSTREAM_KEYS))
      .doc("`reliability:`", "Health, admission, retries, security (docs/reliability.md explains each).");

  public static final ReliabilityConfig DEFAULTS = SECTION.defaults();

  public ReliabilityConfig {
    keys = List.copyOf(keys);
    upstreamKeys = Map.copyOf(upstreamKeys);
  }

  public ReliabilityConfig withUpstreamKeys(Map<String, String> value) {
    return SECTION.with(this, UPSTREAM_KEYS, value);
  }

  public ReliabilityConfig withServer(ServerLimits value) {
    return SECTION.with(this, SERVER, value);
  }

  public ReliabilityConfig withHealth(OutlierPolicy value) {
    return SECTION.with(this, HEALTH, value);
  }

  public ReliabilityConfig withAdmission(AdmissionPolicy value) {
    return SECTION.with(this, ADMISSION, value);
  }

  public ReliabilityConfig withKeys(List<ApiKey> value) {
    return SECTION.with(this, KEYS, value);
  }

  public ReliabilityConfig withImages(ImagePolicy value) {
    return SECTION.with(this, IMAGE_URLS, value);
  }

  public ReliabilityConfig withSpillOver(boolean value) {
    return SECTION.with(this, SPILL_OVER, value);
  }

  public ReliabilityConfig withDrainGrace(Duration value) {
    return SECTION.with(this, DRAIN_GRACE_MS, value);
  }

  /** The value of the variable an upstream key names; a variable that is not set is an error. */
  private static String upstreamKey(Values v) {
    String variable = v.get(UPSTREAM_KEY_ENV);
    String value = v.environment(variable);
    if (value == null || value.isBlank()) {
      throw UPSTREAM_KEY_ENV.invalid("names '" + variable + "', which is not set in the environment");
    }
    return value.trim();
  }

  private static Map<String, ImagePolicy> imageWords() {
    Map<String, ImagePolicy> words = new LinkedHashMap<>();
    words.put("reject", ImagePolicy.REJECT_REMOTE);
    words.put("allow", ImagePolicy.ALLOW);
    return words;
  }
}
