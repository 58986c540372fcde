package dev.sluice.dispatcher.route;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The endpoints of one pool and the choice among them: fewest in-flight requests, ties broken round-robin.
 * Lock-free; safe to call from every event loop at once (a choice may race with another, which only
 * makes it slightly less even, never wrong).
 */
public final class EndpointSet {
  private final Endpoint[] endpoints;
  private final AtomicInteger cursor = new AtomicInteger();

  public EndpointSet(List<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one endpoint");
    }
    this.endpoints = endpoints.toArray(new Endpoint[0]);
  }

  public int size() {
    return endpoints.length;
  }

  public Endpoint get(int i) {
    return endpoints[i];
  }

  public List<Endpoint> all() {
    return List.of(endpoints);
  }

  /** The least busy endpoint. */
  public Endpoint pick() {
    return pick(null);
  }

  /**
   * The least busy endpoint other than {@code avoid}; {@code avoid} itself when it is the only one.
   */
  public Endpoint pick(Endpoint avoid) {
    Endpoint best = pick(avoid, Endpoint::inFlight);
    return best != null ? best : avoid;
  }

  /**
   * The endpoint other than {@code avoid} with the lowest {@code score} (NaN = not available now), or null
   * when none is. The scan starts at a rotating offset so equal scores take turns.
   */
  public Endpoint pick(Endpoint avoid, ToDoubleFunction<Endpoint> score) {
    int n = endpoints.length;
    int start = n == 1 ? 0 : Math.floorMod(cursor.getAndIncrement(), n);
    Endpoint best = null;
    double bestScore = Double.POSITIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      Endpoint e = endpoints[(start + k) % n];
      if (e == avoid) {
        continue;
      }
      double s = score.applyAsDouble(e);
      if (s < bestScore) { // false for NaN: an unavailable endpoint is never chosen
        best = e;
        bestScore = s;
      }
    }
    return best;
  }
}
