package dev.sluice.dispatcher.reliability;

import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.PoolHealth;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Prometheus view of endpoint health and admission. Every meter is a gauge or function counter read
 * at scrape time, so the request path records nothing extra.
 */
public final class ReliabilityMeters {

  private ReliabilityMeters() {
  }

  /** Per-pool and per-endpoint meters, replaced after a reload (they hold the objects they read). */
  private static final java.util.List<String> PER_POOL = java.util.List.of("sluice_endpoint_available",
      "sluice_endpoint_ejections", "sluice_endpoint_upstream_waiting", "sluice_endpoint_kv_cache_usage",
      "sluice_admission_waiting", "sluice_admission_capacity");

  /** After {@link Reliability#reconfigure}: drops the meters of the old pool list and binds the new one. */
  public static void rebind(MeterRegistry registry, Reliability reliability) {
    for (String name : PER_POOL) {
      for (io.micrometer.core.instrument.Meter m : registry.find(name).meters()) {
        registry.remove(m);
      }
    }
    bind(registry, reliability);
  }

  public static void bind(MeterRegistry registry, Reliability reliability) {
    for (PoolHealth pool : reliability.health().pools()) {
      for (EndpointHealth e : pool.endpoints()) {
        String[] tags = {"pool", pool.name(), "endpoint", e.url()};
        Gauge.builder("sluice_endpoint_available", e, x -> x.available(System.nanoTime()) ? 1 : 0)
            .description("1 when the endpoint may take requests (probe up and not ejected)")
            .tags(tags).register(registry);
        FunctionCounter.builder("sluice_endpoint_ejections", e, EndpointHealth::ejectionsTotal)
            .description("outlier ejections of the endpoint").tags(tags).register(registry);
        Gauge.builder("sluice_endpoint_upstream_waiting", e, x -> x.load().known() ? x.load().waiting() : Double.NaN)
            .description("vllm:num_requests_waiting from the last scrape").tags(tags).register(registry);
        Gauge.builder("sluice_endpoint_kv_cache_usage", e, x -> x.load().known() ? x.load().kvCacheUsage() : Double.NaN)
            .description("KV-cache fill (0..1) from the last scrape").tags(tags).register(registry);
      }
      PoolAdmission a = reliability.admission(pool.name());
      Gauge.builder("sluice_admission_waiting", a, PoolAdmission::waiting)
          .description("requests waiting for a slot").tag("pool", pool.name()).register(registry);
      Gauge.builder("sluice_admission_capacity", a, PoolAdmission::capacity)
          .description("current in-flight bound (slots per available endpoint x available endpoints)")
          .tag("pool", pool.name()).register(registry);
    }
    Gauge.builder("sluice_retries_active", reliability.retries(), r -> r.active())
        .description("retries in progress (bounded by the retry budget)").register(registry);
  }
}
