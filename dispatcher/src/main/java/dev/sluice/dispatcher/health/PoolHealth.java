package dev.sluice.dispatcher.health;

import java.util.List;

/**
 * The endpoints of one pool as a health group: enforces the ejection share (never the last available
 * endpoint) and answers which endpoints may take a request.
 */
public final class PoolHealth {

  private final String name;
  private final OutlierPolicy policy;
  private final EndpointHealth[] endpoints;

  /** A group of fresh entries, one per URL. */
  public PoolHealth(String name, List<String> urls, OutlierPolicy policy) {
    this(name, policy, urls.stream().map(u -> new EndpointHealth(u, policy)).toList());
  }

  /**
   * A group of these entries, which join it: their ejections are judged against this group from now on (the
   * group a pool's endpoints form after discovery changed them).
   */
  public PoolHealth(String name, OutlierPolicy policy, List<EndpointHealth> members) {
    this.name = name;
    this.policy = policy;
    this.endpoints = members.toArray(EndpointHealth[]::new);
    for (EndpointHealth e : endpoints) {
      e.joined(this);
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
