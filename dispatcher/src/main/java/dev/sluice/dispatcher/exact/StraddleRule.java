package dev.sluice.dispatcher.exact;

import dev.sluice.dispatcher.route.PoolRouter;

/**
 * When an estimate is not good enough to route on: its band (the optimistic and the conservative budget)
 * holds a pool's context, so the request may fit a smaller pool than its conservative budget says, or
 * may not fit the pool its optimistic budget says. Pure.
 */
public final class StraddleRule {
  private StraddleRule() {
  }

  /**
   * The pool whose tokenizer should count the prompt: the smallest pool the optimistic total fits, when
   * the conservative total routes to a larger one; -1 when both edges route to the same pool.
   */
  public static int candidate(PoolRouter router, long lowTotal, long highTotal) {
    int low = router.poolFor(Math.min(lowTotal, highTotal));
    int high = router.poolFor(highTotal);
    return low == high ? -1 : low;
  }
}
