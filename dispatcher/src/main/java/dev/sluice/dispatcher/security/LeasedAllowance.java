package dev.sluice.dispatcher.security;

import dev.sluice.cluster.QuotaLedger;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key's limit shared by the cluster: units leased from the cluster's bucket ({@link QuotaLedger}) in small
 * chunks and spent here with one compare-and-set, no network call. The next lease is asked for while half a
 * chunk is still left, so under a steady rate it arrives before the units run out; a request that finds too few
 * asks for them and waits for the lease (the pipeline bounds that wait). Units given back (a refusal after the take, a request that used fewer tokens than
 * its budget) stay here for the next requests, but only as long as the cluster's bucket takes to refill a chunk:
 * older units are dropped, so what the nodes hold cannot add up to more than a chunk each on top of the
 * bucket. Units used beyond the budget are a debt the next lease pays first.
 *
 * <p>While the ledger says this node may be cut off, the node keeps to its share on its own: a local bucket of
 * {@code perMinute / expectedMembers}, never more.
 */
final class LeasedAllowance implements Allowance {
  /** Chunks per member in one minute's allowance: more chunks, fewer units leased and left unspent on a node. */
  private static final int CHUNKS_PER_MEMBER = 8;
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final String id;
  private final long perMinute;
  private final QuotaLedger ledger;
  private final AtomicLong remaining = new AtomicLong();
  /** When units were last added here (System.nanoTime); the stock expires a chunk's refill time later. */
  private volatile long stockedAt;
  private final AtomicBoolean leasing = new AtomicBoolean();
  /** The lease under way, or the last one. */
  private volatile Future<Void> inFlight = Future.succeededFuture();
  /** The node's own share while it may be cut off; replaced when the cluster it is a part of grows. */
  private volatile Gcra share;

  LeasedAllowance(String id, long perMinute, QuotaLedger ledger) {
    this.id = id;
    this.perMinute = perMinute;
    this.ledger = ledger;
    lease(0);
  }

  @Override
  public long perMinute() {
    return perMinute;
  }

  @Override
  public long tryTake(long cost, long nowNanos) {
    if (!ledger.connected()) {
      return share(nowNanos).tryTake(cost, nowNanos);
    }
    expire(nowNanos);
    for (;;) {
      long left = remaining.get();
      if (left < cost) {
        if (lease(cost - left) || leasing.get()) {
          return LEASING;
        }
        return Math.max(1, Math.min(MINUTE_NANOS, cost * (MINUTE_NANOS / perMinute)));
      }
      if (remaining.compareAndSet(left, left - cost)) {
        if (left - cost <= chunk() / 2) {
          lease(0);
        }
        return 0;
      }
    }
  }

  /** Units held longer than a chunk's refill time are dropped (a debt stays). */
  private void expire(long nowNanos) {
    long left = remaining.get();
    if (left > 0 && nowNanos - stockedAt > chunk() * (MINUTE_NANOS / perMinute)) {
      remaining.compareAndSet(left, 0);
    }
  }

  @Override
  public void refund(long cost) {
    if (ledger.connected()) {
      remaining.addAndGet(cost);
    } else {
      share(System.nanoTime()).refund(cost);
    }
  }

  @Override
  public void charge(long cost) {
    if (ledger.connected()) {
      remaining.addAndGet(-cost);
    } else {
      share(System.nanoTime()).charge(cost);
    }
  }

  /** Units leased and not spent yet (negative: a debt). */
  long remaining() {
    return remaining.get();
  }

  @Override
  public Future<Long> used(long nowNanos) {
    return ledger.connected() ? ledger.used(id, perMinute) : share(nowNanos).used(nowNanos);
  }

  @Override
  public String scope() {
    return ledger.connected() ? "cluster" : "share";
  }

  private long chunk() {
    return Math.max(1, perMinute / ((long) CHUNKS_PER_MEMBER * ledger.expectedMembers()));
  }

  @Override
  public Future<Void> leased() {
    return inFlight;
  }

  /**
   * Asks for a chunk, plus {@code shortBy} and any debt; one lease at a time, answered on a Hazelcast thread.
   * Returns whether this call started one.
   */
  private boolean lease(long shortBy) {
    if (!leasing.compareAndSet(false, true)) {
      return false;
    }
    Promise<Void> done = Promise.promise();
    inFlight = done.future();
    long want = chunk() + Math.max(0, shortBy) + Math.max(0, -remaining.get());
    ledger.lease(id, perMinute, want).onComplete(ar -> {
      if (ar.succeeded() && ar.result() > 0) {
        stockedAt = System.nanoTime();
        remaining.addAndGet(ar.result());
      }
      leasing.set(false);
      done.complete();
    });
    return true;
  }

  private Gcra share(long nowNanos) {
    int members = Math.max(1, ledger.expectedMembers());
    Gcra s = share;
    long perMember = Math.max(1, perMinute / members);
    if (s == null || s.perMinute() != perMember) {
      s = new Gcra(perMember, nowNanos);
      share = s;
    }
    return s;
  }
}
