package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.health.EndpointHealth;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Prometheus view of the endpoints' health and the pools' admission. Every meter is a gauge or function counter
 * read at scrape time, so the request path records nothing extra.
 */
final class EndpointGauges {
  /** The meters that hold objects of one pool set, replaced when the set is. */
  private static final List<String> PER_SET = List.of("sluice_endpoint_available", "sluice_endpoint_ejections",
      "sluice_endpoint_upstream_waiting", "sluice_endpoint_kv_cache_usage", "sluice_admission_waiting",
      "sluice_admission_capacity");

  private EndpointGauges() {
  }

  /** After a swap: drops the meters of the old set and binds the new one. */
  static void rebind(MeterRegistry registry, PoolSet set) {
    for (String name : PER_SET) {
      for (Meter m : registry.find(name).meters()) {
        registry.remove(m);
      }
    }
    bind(registry, set);
  }

  static void bind(MeterRegistry registry, PoolSet set) {
    for (Pool pool : set.pools()) {
      for (Endpoint endpoint : pool.endpoints()) {
        EndpointHealth e = endpoint.health();
        String[] tags = {"pool", pool.name(), "endpoint", endpoint.url()};
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
      PoolAdmission a = pool.admission();
      Gauge.builder("sluice_admission_waiting", a, PoolAdmission::waiting)
          .description("requests waiting for a slot").tag("pool", pool.name()).register(registry);
      Gauge.builder("sluice_admission_capacity", a, PoolAdmission::capacity)
          .description("current in-flight bound (slots per available endpoint x available endpoints)")
          .tag("pool", pool.name()).register(registry);
    }
  }
}
