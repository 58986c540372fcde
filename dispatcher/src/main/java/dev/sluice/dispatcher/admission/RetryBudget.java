package dev.sluice.dispatcher.admission;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Envoy-style retry budget: retries in progress may not exceed a share of the requests in flight,
 * with a floor so a quiet pool can still retry. Stops a failing upstream from turning into a retry
 * storm that doubles the load on the rest.
 */
public final class RetryBudget {

  private final double ratio;
  private final int minConcurrent;
  private final AtomicInteger active = new AtomicInteger();

  public RetryBudget(double ratio, int minConcurrent) {
    if (ratio < 0 || minConcurrent < 0) {
      throw new IllegalArgumentException("retry budget ratio and minimum must be >= 0");
    }
    this.ratio = ratio;
    this.minConcurrent = minConcurrent;
  }

  /** Takes a retry token if the budget allows; pair every true with one {@link #end()}. */
  public boolean tryStart(int requestsInFlight) {
    int limit = Math.max(minConcurrent, (int) (ratio * requestsInFlight));
    for (;;) {
      int current = active.get();
      if (current >= limit) {
        return false;
      }
      if (active.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void end() {
    active.decrementAndGet();
  }

  public int active() {
    return active.get();
  }
}
