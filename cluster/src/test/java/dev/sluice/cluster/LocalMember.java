package dev.sluice.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One real Hazelcast member with its own clustered Vert.x and calibration exchange, inside the test JVM. */
final class LocalMember {

  /** Fast failure detection and merge so tests stay short; production keeps MemberConfig's defaults. */
  static final Map<String, String> FAST = Map.of(
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.max.no.heartbeat.seconds", "5",
      "hazelcast.merge.first.run.delay.seconds", "3",
      "hazelcast.merge.next.run.delay.seconds", "3",
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.logging.type", "none");

  final Vertx vertx;
  final ClusterNode node;
  final TestCalibration calibration;
  final Map<String, Integer> inflight;

  private LocalMember(Vertx vertx, ClusterNode node, TestCalibration calibration, Map<String, Integer> inflight) {
    this.vertx = vertx;
    this.node = node;
    this.calibration = calibration;
    this.inflight = inflight;
  }

  static ClusterConfig config(String clusterName, int port, List<Integer> ports) {
    List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    return ClusterConfig.defaults()
        .withMembership(clusterName, "127.0.0.1", port, seeds)
        .withEntryTtl(Duration.ofSeconds(3))
        .withCallTimeout(Duration.ofSeconds(1))
        .withCarry(Duration.ofSeconds(60), Duration.ofMinutes(10))
        .withHazelcastProperties(FAST);
  }

  static LocalMember start(ClusterConfig config) throws Exception {
    Vertx vertx = ClusteredVertx.start(config).await(60, TimeUnit.SECONDS);
    TestCalibration cal = new TestCalibration();
    Map<String, Integer> inflight = new ConcurrentHashMap<>();
    ClusterNode node = ClusterNode.start(vertx, config, cal, () -> Map.copyOf(inflight)).await(30, TimeUnit.SECONDS);
    return new LocalMember(vertx, node, cal, inflight);
  }

  HazelcastInstance hazelcast() {
    return ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
  }

  String id() {
    return node.status().nodeId();
  }

  /** Dies without a graceful leave: Hazelcast is terminated under Vert.x, then what is left is closed. */
  void kill() {
    hazelcast().getLifecycleService().terminate();
    close();
  }

  void close() {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception | AssertionError e) {
      // closing what is already half gone may fail; the member is out either way
    }
  }
}
