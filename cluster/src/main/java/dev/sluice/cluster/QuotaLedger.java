package dev.sluice.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The cluster's shared per-minute allowances: one GCRA bucket per id (a key and one of its limits) in a
 * Hazelcast map, from which each node leases units in chunks and spends them locally. Nothing here is called per
 * request: a node asks for a lease when its own runs low, and the answer comes back on a Hazelcast thread.
 *
 * <p>A node that may be cut off does not lease: {@link #connected()} is false while it sees no more than half of
 * the most members it has seen (the smaller side of a split, or a node whose peers all vanished), or after a lease
 * failed, until one succeeds again. It then keeps to its share, {@code 1 / expectedMembers()} of each allowance,
 * on its own.
 */
public interface QuotaLedger {

  /**
   * Takes up to {@code units} from the bucket of {@code id}, which refills {@code perMinute} units a minute and
   * holds one minute's worth; completes with the units granted (0 when the bucket is empty).
   */
  Future<Long> lease(String id, long perMinute, long units);

  /**
   * What the bucket of {@code id} has given out over the last minute (its fill level, 0 to {@code perMinute}):
   * the cluster's use of that allowance.
   */
  Future<Long> used(String id, long perMinute);

  /** Whether this node leases from the shared buckets now (see the class comment). */
  boolean connected();

  /** The most members this node has seen: the cluster size its share is a part of when it is cut off. */
  int expectedMembers();

  /** The ledger of a Vert.x clustered through Hazelcast; null for a node alone. */
  static QuotaLedger of(Vertx vertx) {
    if (vertx.isClustered() && vertx instanceof VertxInternal internal
        && internal.clusterManager() instanceof HazelcastClusterManager hz) {
      return new HazelcastQuotaLedger(hz.getHazelcastInstance());
    }
    return null;
  }
}
