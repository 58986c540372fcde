package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.health.SpillOver;
import dev.sluice.dispatcher.route.PoolRouter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's pools at one moment, smallest context first, with the router over them: an immutable snapshot. A
 * reload or a discovery change builds a new set and swaps it in whole ({@link Upstreams}); a request keeps the
 * set (and so the pools and endpoints) it was routed with until it ends.
 */
public final class PoolSet {
  private final List<Pool> pools;
  private final PoolRouter router;
  private final boolean spillOver;

  PoolSet(List<Pool> pools, boolean spillOver) {
    this.pools = List.copyOf(pools);
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

  /**
   * Distinct endpoint URL → the health entry of every pool that lists it, for the prober: a URL is probed once,
   * and each pool's entry hears the result.
   */
  public Map<String, List<EndpointHealth>> healthByUrl() {
    Map<String, List<EndpointHealth>> byUrl = new LinkedHashMap<>();
    for (Pool p : pools) {
      for (Endpoint e : p.endpoints()) {
        byUrl.computeIfAbsent(e.url(), u -> new ArrayList<>()).add(e.health());
      }
    }
    return byUrl;
  }
}
