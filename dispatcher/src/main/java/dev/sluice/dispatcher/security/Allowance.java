package dev.sluice.dispatcher.security;

import io.vertx.core.Future;

/**
 * One per-minute limit of one key (its requests, or its tokens): taken before a request goes upstream, given
 * back when a later check refuses it, and corrected when the request's actual tokens are known. A node alone
 * keeps it in a {@link Gcra}; in a cluster it spends units leased from the cluster's bucket
 * ({@link LeasedAllowance}).
 */
interface Allowance {

  long perMinute();

  /** What {@link #tryTake} returns when too few units are here and a lease for them is on its way. */
  long LEASING = -1;

  /**
   * Takes {@code cost} units; returns 0 when allowed, {@link #LEASING} when the units are being leased (ask again
   * once {@link #leased()} completes), else the nanos until it might be allowed (never below 1).
   */
  long tryTake(long cost, long nowNanos);

  /** Completes when the lease under way (if any) is back. */
  default Future<Void> leased() {
    return Future.succeededFuture();
  }

  /** Gives back units taken by {@link #tryTake}. */
  void refund(long cost);

  /** Takes {@code cost} more units whatever is left: a correction after the fact, which may leave a debt. */
  void charge(long cost);

  /** Units used over the last minute (0 to {@link #perMinute()}): the cluster's in a cluster, else this node's. */
  Future<Long> used(long nowNanos);

  /** Where the use is counted: {@code node}, {@code cluster}, or {@code share} for a node that may be cut off. */
  String scope();
}
