package dev.sluice.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cluster table: an {@link IMap} of strings keyed by Vert.x node id, one writer per key. Only the
 * async map calls are used, bridged back onto the exchange's context, so no thread ever blocks on the
 * network; the caller bounds each call with a timeout.
 */
final class HazelcastStateTable implements StateTable {

  /** Member attribute in which the Vert.x cluster manager stores the node id (stable across merges). */
  static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> map;
  private final String self;
  private final Context context;
  private Set<String> lastMembers;

  HazelcastStateTable(HazelcastInstance hazelcast, String self, Context context) {
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MemberConfig.CALIBRATION_MAP);
    this.self = self;
    this.context = context;
    this.lastMembers = Set.of(self);
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public Set<String> members() {
    Set<String> ids = new HashSet<>();
    try {
      for (Member m : hazelcast.getCluster().getMembers()) {
        String id = m.getAttribute(NODE_ID_ATTRIBUTE);
        if (id != null) {
          ids.add(id);
        }
      }
    } catch (RuntimeException e) {
      // The local member is not running: keep the last membership seen, whose reads will fail and count.
      return lastMembers;
    }
    lastMembers = Set.copyOf(ids);
    return ids;
  }

  @Override
  public Future<Void> write(String value, long ttlMillis) {
    return call(() -> map.setAsync(self, value, ttlMillis, TimeUnit.MILLISECONDS));
  }

  @Override
  public Future<String> read(String nodeId) {
    return call(() -> map.getAsync(nodeId));
  }

  @Override
  public Future<Void> remove() {
    return call(() -> map.deleteAsync(self)).mapEmpty();
  }

  /** Hazelcast throws instead of failing the stage when the instance is shut down; fold that in. */
  private <T> Future<T> call(Supplier<CompletionStage<T>> op) {
    try {
      return Future.fromCompletionStage(op.get(), context);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
