package dev.sluice.dispatcher.health;

/**
 * How loaded a pool is right now, from our own in-flight count and the endpoints' scraped vLLM gauges.
 *
 * @param available    endpoints that may take a request
 * @param inFlight     requests Sluice has in the pool
 * @param capacity     Sluice's in-flight bound for the pool (0 = unbounded)
 * @param waiting      vLLM waiting requests summed over available endpoints with a fresh scrape
 * @param maxKvUsage   highest KV-cache fill over those endpoints, -1 when none is known
 * @param saturated    the pool should not get optional extra work (see {@link #of})
 */
public record PoolPressure(int available, int inFlight, int capacity, double waiting, double maxKvUsage,
    boolean saturated) {

  /** A pool not looked at (spill-over compares only the fitting pool and the next larger one). */
  public static final PoolPressure NOT_MEASURED = new PoolPressure(0, 0, 0, 0, -1, true);

  /** vLLM queueing this many requests per endpoint means new work waits for a slot. */
  public static final double DEFAULT_WAITING_PER_ENDPOINT = 1.0;
  /** Above this KV fill vLLM starts preempting running sequences. */
  public static final double DEFAULT_KV_HIGH = 0.95;

  /**
   * Saturated when no endpoint is available, when our own in-flight bound is reached, or when every
   * available endpoint with a fresh scrape is queueing or nearly out of KV cache (and at least one has
   * a fresh scrape: no data is not evidence of saturation).
   */
  public static PoolPressure of(PoolHealth pool, int inFlight, int capacity, long nowNanos,
      double waitingPerEndpoint, double kvHigh) {
    long stale = pool.policy().loadStaleMillis();
    int available = 0;
    int fresh = 0;
    int hot = 0;
    double waiting = 0;
    double maxKv = -1;
    for (EndpointHealth e : pool.endpoints()) {
      if (!e.available(nowNanos)) {
        continue;
      }
      available++;
      EndpointLoad load = e.load();
      if (!load.fresh(nowNanos, stale)) {
        continue;
      }
      fresh++;
      waiting += load.waitingOrZero();
      maxKv = Math.max(maxKv, load.kvCacheUsage());
      if (load.waitingOrZero() >= waitingPerEndpoint || load.kvOrZero() >= kvHigh) {
        hot++;
      }
    }
    boolean full = capacity > 0 && inFlight >= capacity;
    boolean saturated = available == 0 || full || (fresh > 0 && hot == fresh && fresh == available);
    return new PoolPressure(available, inFlight, capacity, waiting, maxKv, saturated);
  }

  public static PoolPressure of(PoolHealth pool, int inFlight, int capacity, long nowNanos) {
    return of(pool, inFlight, capacity, nowNanos, DEFAULT_WAITING_PER_ENDPOINT, DEFAULT_KV_HIGH);
  }
}
