package dev.sluice.cluster;

import dev.sluice.calibration.SharedCalibration;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A running calibration exchange: the one handle the dispatcher keeps. Start it once on the node's
 * Vert.x (clustered through {@link ClusteredVertx}, or plain for a single node); read {@link #status()}
 * and {@link #othersInflight()} from anywhere, they are volatile reads of immutable values.
 *
 * <pre>{@code
 * ClusterConfig config = ClusterConfig.SECTION.bind(clusterNode);   // or the dispatcher's whole binding
 * Vertx vertx = ClusteredVertx.start(config).await();
 * ClusterNode node = ClusterNode.start(vertx, config, calibration, router::inflightByPool).await();
 * }</pre>
 */
public final class ClusterNode {

  private final Vertx vertx;
  private final CalibrationExchange exchange;
  private final String deploymentId;

  private ClusterNode(Vertx vertx, CalibrationExchange exchange, String deploymentId) {
    this.vertx = vertx;
    this.exchange = exchange;
    this.deploymentId = deploymentId;
  }

  public static Future<ClusterNode> start(Vertx vertx, ClusterConfig config, SharedCalibration calibration) {
    return start(vertx, config, calibration, PoolLoad.NONE);
  }

  /**
   * Restores the state file (if configured), runs a first exchange round, then one every publish
   * period. Uses the Hazelcast map when {@code vertx} is clustered through Hazelcast, else a local table.
   */
  public static Future<ClusterNode> start(Vertx vertx, ClusterConfig config, SharedCalibration calibration,
      PoolLoad load) {
    try {
      config.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager hz = hazelcastOf(vertx);
    CalibrationExchange exchange;
    if (hz != null) {
      exchange = new CalibrationExchange(config, calibration, load, "cluster",
          ctx -> new HazelcastStateTable(hz.getHazelcastInstance(), hz.getNodeId(), ctx));
    } else if (config.enabled()) {
      return Future.failedFuture(new IllegalStateException(
          "cluster is enabled but this Vert.x is not clustered through Hazelcast (use ClusteredVertx.start)"));
    } else {
      String id = UUID.randomUUID().toString();
      exchange = new CalibrationExchange(config, calibration, load, "single", ctx -> new LocalStateTable(id));
    }
    return vertx.deployVerticle(exchange, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .map(id -> new ClusterNode(vertx, exchange, id));
  }

  /** The node's view of the cluster as of the last round. */
  public ClusterStatus status() {
    return exchange.status();
  }

  /** Entries read from other members and dropped before merging (malformed, or outside their bounds). */
  public long rejectedEntries() {
    return exchange.rejectedEntries();
  }

  /** Requests in flight on the other nodes per pool, as published in their last round. */
  public Map<String, Long> othersInflight() {
    return exchange.othersInflight();
  }

  /** Cluster-wide in flight for one pool: this node's live count plus the others' last published. */
  public long clusterInflight(String pool, long localInflight) {
    Long others = exchange.othersInflight().get(pool);
    return localInflight + (others == null ? 0 : others);
  }

  /** Saves the state file, removes this node's entry and stops the rounds. The Vert.x stays up. */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId);
  }

  /**
   * Registers a JVM shutdown hook that stops this node (saving its calibration) and closes its Vert.x
   * (leaving the cluster gracefully), waiting at most {@code max}.
   */
  public void closeOnShutdown(Duration max) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stop().eventually(vertx::close).await(max.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // Shutting down anyway; nothing useful left to do with it.
      }
    }, "sluice-cluster-shutdown"));
  }

  /** The Hazelcast cluster manager behind a clustered Vert.x, or null. */
  private static HazelcastClusterManager hazelcastOf(Vertx vertx) {
    if (vertx.isClustered() && vertx instanceof VertxInternal internal
        && internal.clusterManager() instanceof HazelcastClusterManager hz) {
      return hz;
    }
    return null;
  }
}
