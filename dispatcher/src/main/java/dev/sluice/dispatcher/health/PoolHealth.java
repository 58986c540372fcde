package dev.sluice.dispatcher.health;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The endpoints of one pool as a health group: enforces the ejection share (never the last available
 * endpoint) and answers which endpoints may take a request.
 */
public final class PoolHealth {

  private final String name;
  private final OutlierPolicy policy;
  private final EndpointHealth[] endpoints;

  PoolHealth(String name, List<String> urls, OutlierPolicy policy) {
    this.name = name;
    this.policy = policy;
    this.endpoints = new EndpointHealth[urls.size()];
    for (int i = 0; i < endpoints.length; i++) {
      endpoints[i] = new EndpointHealth(urls.get(i), this, policy);
    }
  }

  public String name() {
    return name;
  }

  public OutlierPolicy policy() {
    return policy;
  }

  public int size() {
    return endpoints.length;
  }

  public EndpointHealth endpoint(int i) {
    return endpoints[i];
  }

  public List<EndpointHealth> endpoints() {
    return List.of(endpoints);
  }

  /** Endpoints that may take a request now. */
  public int availableCount(long nowNanos) {
    int count = 0;
    for (EndpointHealth e : endpoints) {
      if (e.available(nowNanos)) {
        count++;
      }
    }
    return count;
  }

  /**
   * The available endpoint with the lowest load score (our in-flight plus the endpoint's own scraped
   * waiting queue when fresh), skipping {@code avoid}; scanning starts at {@code rotation} so equal
   * scores take turns. Returns -1 when nothing but {@code avoid} (or nothing at all) is available;
   * the caller may then fall back to {@code avoid}.
   */
  public int choose(ToIntFunction<EndpointHealth> inFlight, EndpointHealth avoid, int rotation, long nowNanos) {
    int n = endpoints.length;
    int start = Math.floorMod(rotation, n);
    int best = -1;
    double bestScore = Double.MAX_VALUE;
    for (int k = 0; k < n; k++) {
      int i = (start + k) % n;
      EndpointHealth e = endpoints[i];
      if (e == avoid || !e.available(nowNanos)) {
        continue;
      }
      EndpointLoad load = e.load();
      double score = inFlight.applyAsInt(e);
      if (load.fresh(nowNanos, policy.loadStaleMillis())) {
        score += load.waitingOrZero();
      }
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * Ejects {@code endpoint} unless that would leave the pool with no available endpoint or exceed the
   * ejection share. Rare (only when a failure streak crosses the threshold), hence the lock.
   */
  synchronized boolean tryEject(EndpointHealth endpoint, long nowNanos) {
    if (!endpoint.available(nowNanos)) {
      return false;
    }
    int ejectedNow = 0;
    int availableOthers = 0;
    for (EndpointHealth e : endpoints) {
      if (e.ejected(nowNanos)) {
        ejectedNow++;
      } else if (e != endpoint && e.available(nowNanos)) {
        availableOthers++;
      }
    }
    int maxEjected = Math.max(1, (int) Math.floor(policy.maxEjectionShare() * endpoints.length));
    if (availableOthers == 0 || ejectedNow + 1 > maxEjected) {
      return false;
    }
    endpoint.eject(nowNanos);
    return true;
  }
}
