package dev.sluice.dispatcher.route;

import java.util.Arrays;

/**
 * Picks the pool for a token budget: the smallest pool whose context holds the budget; a budget larger
 * than every pool goes to the largest, whose upstream then reports its own context error.
 * Pure and immutable, so the planner can reuse it.
 */
public final class PoolRouter {
  private final int[] contexts;

  /** @param contexts the pools' context sizes, strictly increasing (index = pool index) */
  public PoolRouter(int[] contexts) {
    if (contexts.length == 0) {
      throw new IllegalArgumentException("at least one pool");
    }
    for (int i = 1; i < contexts.length; i++) {
      if (contexts[i] <= contexts[i - 1]) {
        throw new IllegalArgumentException("contexts must be strictly increasing: " + Arrays.toString(contexts));
      }
    }
    this.contexts = contexts.clone();
  }

  /** Index of the pool for {@code budget} tokens. */
  public int poolFor(long budget) {
    int last = contexts.length - 1;
    for (int i = 0; i < last; i++) {
      if (budget <= contexts[i]) {
        return i;
      }
    }
    return last;
  }

  /** The next larger pool after {@code pool}, or -1 when it is the largest. */
  public int larger(int pool) {
    return pool + 1 < contexts.length ? pool + 1 : -1;
  }

  public int context(int pool) {
    return contexts[pool];
  }

  public int pools() {
    return contexts.length;
  }
}
