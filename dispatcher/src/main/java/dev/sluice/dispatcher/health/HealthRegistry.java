package dev.sluice.dispatcher.health;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Health state of every pool and endpoint, built once from the configured pools (no URL from requests). */
public final class HealthRegistry {

  private final OutlierPolicy policy;
  private final Map<String, PoolHealth> pools = new LinkedHashMap<>();
  private final Map<String, List<EndpointHealth>> byUrl = new LinkedHashMap<>();
  private final List<EndpointHealth> all = new ArrayList<>();

  /** @param poolUrls pool name → endpoint base URLs, in pool order */
  public HealthRegistry(Map<String, List<String>> poolUrls, OutlierPolicy policy) {
    this.policy = policy;
    poolUrls.forEach((name, urls) -> {
      PoolHealth pool = new PoolHealth(name, urls, policy);
      pools.put(name, pool);
      for (EndpointHealth e : pool.endpoints()) {
        byUrl.computeIfAbsent(e.url(), u -> new ArrayList<>()).add(e);
        all.add(e);
      }
    });
  }

  public OutlierPolicy policy() {
    return policy;
  }

  public PoolHealth pool(String name) {
    return pools.get(name);
  }

  public Collection<PoolHealth> pools() {
    return pools.values();
  }

  /**
   * The endpoint with this base URL, or null. A URL listed in several pools has one health entry per
   * pool (each pool applies its own ejection share); this returns the first, {@link #entries} all.
   */
  public EndpointHealth endpoint(String url) {
    List<EndpointHealth> entries = byUrl.get(url);
    return entries == null ? null : entries.get(0);
  }

  /** Every health entry of a URL (one per pool that lists it); empty when unknown. */
  public List<EndpointHealth> entries(String url) {
    List<EndpointHealth> entries = byUrl.get(url);
    return entries == null ? List.of() : entries;
  }

  /** Distinct endpoint URLs, for probing each once. */
  public Collection<String> urls() {
    return byUrl.keySet();
  }

  /** Every health entry of every pool. */
  public Collection<EndpointHealth> endpoints() {
    return all;
  }
}
