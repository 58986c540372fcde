package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.HealthProber;
import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.health.SpillOver;
import dev.sluice.dispatcher.route.PoolRouter;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The node's pools at one moment, smallest context first, with the router over them: an immutable snapshot. A
 * reload or a discovery change builds a new set and swaps it in whole ({@link Upstreams}); a request keeps the
 * set (and so the pools and endpoints) it was routed with until it ends.
 */
public final class PoolSet {
  private final List<Pool> pools;
  private final PoolRouter router;
  private final boolean spillOver;
  private final Map<String, HealthProber.Target> probeTargets;

  PoolSet(List<Pool> pools, boolean spillOver) {
    this.pools = List.copyOf(pools);
    this.probeTargets = probeTargets(this.pools);
    int[] contexts = new int[pools.size()];
    for (int i = 0; i < contexts.length; i++) {
      contexts[i] = pools.get(i).context();
    }
    this.router = new PoolRouter(contexts);
    this.spillOver = spillOver;
  }

  public List<Pool> pools() {
    return pools;
  }

  public Pool pool(int index) {
    return pools.get(index);
  }

  /** The pool of this name, or null. */
  public Pool pool(String name) {
    for (Pool p : pools) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  public PoolRouter router() {
    return router;
  }

  /**
   * The pool for a budget of {@code tokens}: the smallest whose context holds it (the largest when none does);
   * with spill-over on, the next larger one when that pool is saturated and the larger is not.
   */
  public Pool route(long tokens) {
    int fitting = router.poolFor(tokens);
    if (!spillOver || fitting + 1 >= pools.size()) {
      return pools.get(fitting);
    }
    long now = System.nanoTime();
    PoolPressure[] pressures = new PoolPressure[pools.size()];
    for (int i = 0; i < pressures.length; i++) {
      pressures[i] = i == fitting || i == fitting + 1 ? pools.get(i).pressure(now) : PoolPressure.NOT_MEASURED;
    }
    return pools.get(SpillOver.target(fitting, pressures, true));
  }

  /** The next larger pool after {@code pool}, or null when it is the largest. */
  public Pool larger(Pool pool) {
    int next = router.larger(pool.index());
    return next < 0 ? null : pools.get(next);
  }

  /** The endpoint of this URL in any pool, or null. */
  public Endpoint endpoint(String url) {
    for (Pool p : pools) {
      for (Endpoint e : p.endpoints()) {
        if (e.url().equals(url)) {
          return e;
        }
      }
    }
    return null;
  }

  /**
   * Distinct endpoint URL → how to reach it and the health entry of every pool that lists it, for the prober: a
   * URL is probed once, and each pool's entry hears the result.
   */
  public Map<String, HealthProber.Target> probeTargets() {
    return probeTargets;
  }

  private static Map<String, HealthProber.Target> probeTargets(List<Pool> pools) {
    Map<String, List<EndpointHealth>> entries = new LinkedHashMap<>();
    Map<String, Function<String, RequestOptions>> requests = new LinkedHashMap<>();
    for (Pool p : pools) {
      for (Endpoint e : p.endpoints()) {
        entries.computeIfAbsent(e.url(), u -> new ArrayList<>()).add(e.health());
        // the pool's trust for an https endpoint: the prober's own client has none
        requests.putIfAbsent(e.url(),
            path -> e.request(HttpMethod.GET, path).setSslOptions(e.ssl() ? p.shared().tls() : null));
      }
    }
    Map<String, HealthProber.Target> targets = new LinkedHashMap<>();
    entries.forEach((url, health) -> targets.put(url, new HealthProber.Target(requests.get(url), health)));
    return Collections.unmodifiableMap(targets);
  }
}
