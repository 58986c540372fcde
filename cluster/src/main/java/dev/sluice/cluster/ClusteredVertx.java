package dev.sluice.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** Builds the Vert.x instance a node runs on: clustered through Hazelcast when the config says so. */
public final class ClusteredVertx {

  private ClusteredVertx() {
  }

  /**
   * A clustered Vert.x whose cluster manager is a Hazelcast member built from {@code config} by
   * {@link MemberConfig}, or a plain one when {@link ClusterConfig#enabled()} is false. Completes once
   * the member has joined (or formed) the cluster.
   */
  public static Future<Vertx> start(VertxOptions options, ClusterConfig config) {
    if (!config.enabled()) {
      return Future.succeededFuture(Vertx.vertx(options));
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(MemberConfig.build(config.validate()));
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered();
  }

  public static Future<Vertx> start(ClusterConfig config) {
    return start(new VertxOptions(), config);
  }
}
