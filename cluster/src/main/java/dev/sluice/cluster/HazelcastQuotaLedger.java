package dev.sluice.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link QuotaLedger} over a Hazelcast map of theoretical arrival times (epoch nanoseconds, one per id), changed
 * only by an entry processor on the partition that owns the id: a lease is one atomic GCRA step whatever the
 * number of nodes asking at once. The nodes' wall clocks stand in for one clock; their skew is the error of the
 * buckets' timing.
 */
final class HazelcastQuotaLedger implements QuotaLedger {
  static final String MAP = "sluice-quotas";
  /** A bucket untouched for this long is full again anyway: its entry may go. */
  private static final long IDLE_TTL_SECONDS = 180;
  /** After a failed lease, how long the node keeps to its share before it asks the cluster again. */
  private static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(2);
  static final long MINUTE_NANOS = 60_000_000_000L;

  private final HazelcastInstance hazelcast;
  private final IMap<String, Long> buckets;
  private final AtomicInteger mostMembers = new AtomicInteger(1);
  private volatile long failedAt;
  private volatile boolean failed;

  HazelcastQuotaLedger(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.buckets = hazelcast.getMap(MAP);
    // the most members seen is followed as they join, whether or not any request asks meanwhile
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        mostMembers.accumulateAndGet(event.getMembers().size(), Math::max);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
      }
    });
    mostMembers.accumulateAndGet(hazelcast.getCluster().getMembers().size(), Math::max);
  }

  @Override
  public Future<Long> lease(String id, long perMinute, long units) {
    try {
      return Future.fromCompletionStage(buckets.submitToKey(id, new Lease(perMinute, units, nowNanos())))
          .onComplete(ar -> {
            failed = ar.failed();
            if (ar.failed()) {
              failedAt = System.nanoTime();
            }
          });
    } catch (RuntimeException e) {
      failed = true;
      failedAt = System.nanoTime();
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Long> used(String id, long perMinute) {
    try {
      long now = nowNanos();
      return Future.fromCompletionStage(buckets.getAsync(id))
          .map(tat -> tat == null ? 0L : Math.min(perMinute, Math.max(0, tat - now) / perUnit(perMinute)));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public boolean connected() {
    if (failed && System.nanoTime() - failedAt < RETRY_AFTER_FAILURE_NANOS) {
      return false;
    }
    int members;
    try {
      members = hazelcast.getCluster().getMembers().size();
    } catch (RuntimeException e) {
      return false;
    }
    int most = mostMembers.accumulateAndGet(members, Math::max);
    return members * 2 > most;
  }

  @Override
  public int expectedMembers() {
    return mostMembers.get();
  }

  private static long nowNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  static long perUnit(long perMinute) {
    return Math.max(1, MINUTE_NANOS / perMinute);
  }

  /**
   * One GCRA step for up to {@code units}: as many as fit in the bucket's minute from its theoretical arrival
   * time on, which then moves past them. Runs on the owner of the entry, and the same on its backup.
   */
  static final class Lease implements EntryProcessor<String, Long, Long> {
    private static final long serialVersionUID = 1L;
    private final long perMinute;
    private final long units;
    private final long now;

    Lease(long perMinute, long units, long now) {
      this.perMinute = perMinute;
      this.units = units;
      this.now = now;
    }

    @Override
    public Long process(Map.Entry<String, Long> entry) {
      long perUnit = perUnit(perMinute);
      Long tat = entry.getValue();
      long start = tat == null || tat < now ? now : tat;
      long fit = (now + MINUTE_NANOS - start) / perUnit;
      long granted = Math.max(0, Math.min(units, fit));
      if (granted > 0) {
        long next = start + granted * perUnit;
        if (entry instanceof ExtendedMapEntry<String, Long> extended) {
          extended.setValue(next, IDLE_TTL_SECONDS, TimeUnit.SECONDS);
        } else {
          entry.setValue(next);
        }
      }
      return granted;
    }
  }
}
