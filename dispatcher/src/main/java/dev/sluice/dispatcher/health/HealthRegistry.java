package dev.sluice.dispatcher.health;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Health state of every pool and endpoint, built once from the configured pools (no URL from requests). */
public final class HealthRegistry {

  private final OutlierPolicy policy;
  private final Map<String, PoolHealth> pools = new LinkedHashMap<>();
  private final Map<String, EndpointHealth> byUrl = new LinkedHashMap<>();

  /** @param poolUrls pool name → endpoint base URLs, in pool order */
  public HealthRegistry(Map<String, List<String>> poolUrls, OutlierPolicy policy) {
    this.policy = policy;
    poolUrls.forEach((name, urls) -> {
      PoolHealth pool = new PoolHealth(name, urls, policy);
      pools.put(name, pool);
      for (EndpointHealth e : pool.endpoints()) {
        if (byUrl.putIfAbsent(e.url(), e) != null) {
          throw new IllegalArgumentException("endpoint " + e.url() + " is listed in more than one pool");
        }
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

  /** The endpoint with this base URL, or null. */
  public EndpointHealth endpoint(String url) {
    return byUrl.get(url);
  }

  public Collection<EndpointHealth> endpoints() {
    return byUrl.values();
  }
}
