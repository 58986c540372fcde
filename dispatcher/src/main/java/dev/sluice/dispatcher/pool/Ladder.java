package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.health.SpillOver;
import dev.sluice.dispatcher.route.PoolRouter;
import java.util.List;

/**
 * One model's pools, smallest context first, and the router over them: where a request for the model may go. Part
 * of a {@link PoolSet} snapshot; the node without a {@code models:} section has one ladder of every pool, for any
 * model name. A pool may stand on several ladders.
 */
public final class Ladder {
  private final String model;
  /** The model's own name, then its aliases; empty for the implicit model. */
  private final List<String> names;
  private final List<Pool> pools;
  private final PoolRouter router;
  private final boolean spillOver;

  /**
   * @param names the model's own name and its aliases; empty for the implicit model
   * @param pools smallest context first
   */
  Ladder(List<String> names, List<Pool> pools, boolean spillOver) {
    this.names = List.copyOf(names);
    this.model = names.isEmpty() ? null : names.get(0);
    this.pools = List.copyOf(pools);
    int[] contexts = new int[pools.size()];
    for (int i = 0; i < contexts.length; i++) {
      contexts[i] = pools.get(i).context();
    }
    this.router = new PoolRouter(contexts);
    this.spillOver = spillOver;
  }

  /** The model's own name (what goes upstream for an alias), or null when the node has no {@code models:}. */
  public String model() {
    return model;
  }

  /** The model's own name, then its aliases; empty for the implicit model. */
  public List<String> names() {
    return names;
  }

  public List<Pool> pools() {
    return pools;
  }

  /** The router over this ladder: its indices are rungs, not pool indices. */
  public PoolRouter router() {
    return router;
  }

  /** The pool on {@code rung}. */
  public Pool pool(int rung) {
    return pools.get(rung);
  }

  /** The rung of {@code pool} on this ladder, or -1. */
  public int rung(Pool pool) {
    for (int i = 0; i < pools.size(); i++) {
      if (pools.get(i) == pool) {
        return i;
      }
    }
    return -1;
  }

  /** The pool of this name on the ladder, or null. */
  public Pool pool(String name) {
    for (Pool p : pools) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  public Pool largest() {
    return pools.get(pools.size() - 1);
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

  /** The next larger pool after {@code pool} on this ladder, or null when it is the largest. */
  public Pool larger(Pool pool) {
    int rung = rung(pool);
    return rung < 0 || rung + 1 >= pools.size() ? null : pools.get(rung + 1);
  }

  /**
   * The smallest pool above {@code pool} of at least {@code context} tokens of context, or null when no larger
   * pool has that much.
   */
  public Pool largerOfAtLeast(Pool pool, long context) {
    for (Pool larger = larger(pool); larger != null; larger = larger(larger)) {
      if (larger.context() >= context) {
        return larger;
      }
    }
    return null;
  }

  /** Whether a request of {@code tokens} would have fit a smaller pool of this ladder than {@code pool}. */
  public boolean fitsBelow(long tokens, Pool pool) {
    return router.poolFor(tokens) < rung(pool);
  }
}
