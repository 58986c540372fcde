package dev.sluice.dispatcher.health;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Health of one upstream endpoint as every event loop sees it: passive outlier state fed by the relay,
 * active-probe state fed by the prober, the operator's drain, and the last scraped load. Lock-free on the
 * request path: a success is one read (and a write only after failures); the rare ejection decision goes to
 * the pool it is in now (discovery may regroup the pool's endpoints, and this entry moves with its endpoint).
 *
 * <p>Life cycle: available → (N consecutive faults) ejected for n × base → re-admitted on probation,
 * where a single fault ejects it again for longer, and the first success ends probation. A long clean
 * run forgets past ejections.
 */
public final class EndpointHealth {

  private static final System.Logger LOG = System.getLogger("sluice.health");

  private final String url;
  private final OutlierPolicy policy;
  /** The group it is in now; set by each {@link PoolHealth} that takes it in. */
  private volatile PoolHealth pool;

  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicInteger ejections = new AtomicInteger();
  private final AtomicLong ejectionsTotal = new AtomicLong();
  private static final long NEVER = Long.MIN_VALUE;
  private volatile long ejectedUntilNanos = NEVER;
  private volatile boolean probation;
  private volatile boolean drained;

  private volatile boolean probeHealthy = true;
  private int probeFailStreak;
  private int probeOkStreak;

  private volatile EndpointLoad load = EndpointLoad.UNKNOWN;

  /** A fresh entry (up, never ejected, not drained); it joins a {@link PoolHealth}. */
  public EndpointHealth(String url, OutlierPolicy policy) {
    this.url = url;
    this.policy = policy;
  }

  void joined(PoolHealth group) {
    pool = group;
  }

  public String url() {
    return url;
  }

  public PoolHealth pool() {
    return pool;
  }

  /** Whether requests may go here now: probe says up, not ejected, not drained. */
  public boolean available(long nowNanos) {
    return probeHealthy && !drained && !ejected(nowNanos);
  }

  /** Drained by an operator: no new requests, those in flight finish. Undone by {@code drain(false)}. */
  public void drain(boolean on) {
    if (drained != on) {
      drained = on;
      LOG.log(System.Logger.Level.INFO, "endpoint {0} {1}", url, on ? "drained" : "undrained");
    }
  }

  public boolean drained() {
    return drained;
  }

  public boolean ejected(long nowNanos) {
    long until = ejectedUntilNanos;
    return until != NEVER && nowNanos - until < 0;
  }

  public boolean probeHealthy() {
    return probeHealthy;
  }

  /** A response arrived intact (any 2xx-4xx status, or a stream that completed). */
  public void recordSuccess(long nowNanos) {
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
    if (probation) {
      probation = false;
    }
    if (ejections.get() != 0 && nowNanos - ejectedUntilNanos > policy.maxEjectionMillis() * 1_000_000L) {
      ejections.set(0);
    }
  }

  /**
   * A fault attributable to this endpoint (a row of the failure table with {@code endpointFault}). Returns true
   * when it caused an ejection.
   */
  public boolean recordFailure(long nowNanos) {
    int streak = consecutiveFailures.incrementAndGet();
    int threshold = probation ? 1 : policy.consecutiveFailures();
    PoolHealth group = pool;
    if (streak < threshold || ejected(nowNanos) || group == null) {
      return false;
    }
    return group.tryEject(this, nowNanos);
  }

  /** Called by the pool under its lock once the share rules allow the ejection. */
  long eject(long nowNanos) {
    int n = ejections.incrementAndGet();
    long millis = Math.min(policy.baseEjectionMillis() * n, policy.maxEjectionMillis());
    consecutiveFailures.set(0);
    probation = true;
    ejectionsTotal.incrementAndGet();
    ejectedUntilNanos = nowNanos + millis * 1_000_000L;
    LOG.log(System.Logger.Level.WARNING, "endpoint {0} of pool {1} ejected for {2} ms (ejection {3})",
        url, poolName(), Long.toString(millis), Integer.toString(n));
    return millis;
  }

  /** One active probe result; called from the prober's event loop only. */
  public void recordProbe(boolean ok) {
    if (ok) {
      probeFailStreak = 0;
      if (++probeOkStreak >= policy.healthyThreshold() && !probeHealthy) {
        probeHealthy = true;
        LOG.log(System.Logger.Level.INFO, "endpoint {0} of pool {1} is up again (probe)", url, poolName());
      }
    } else {
      probeOkStreak = 0;
      if (++probeFailStreak >= policy.unhealthyThreshold() && probeHealthy) {
        probeHealthy = false;
        LOG.log(System.Logger.Level.WARNING, "endpoint {0} of pool {1} is down (probe failed {2} times)",
            url, poolName(), Integer.toString(probeFailStreak));
      }
    }
  }

  public EndpointLoad load() {
    return load;
  }

  public void publishLoad(EndpointLoad snapshot) {
    this.load = snapshot;
  }

  public int consecutiveFailures() {
    return consecutiveFailures.get();
  }

  public long ejectionsTotal() {
    return ejectionsTotal.get();
  }

  /** Nanos left in the current ejection, 0 when not ejected. */
  public long ejectionRemainingNanos(long nowNanos) {
    long until = ejectedUntilNanos;
    return until != NEVER && until - nowNanos > 0 ? until - nowNanos : 0;
  }

  private String poolName() {
    PoolHealth group = pool;
    return group == null ? "?" : group.name();
  }

  @Override
  public String toString() {
    return url;
  }
}
