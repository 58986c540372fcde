package dev.sluice.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
   * the member has joined (or formed) the cluster. Closing it leaves the cluster gracefully, announced
   * first ({@link Departures}), so that the others log the departure as expected, not as a failure.
   */
  public static Future<Vertx> start(VertxOptions options, ClusterConfig config) {
    if (!config.enabled()) {
      return Future.succeededFuture(Vertx.vertx(options));
    }
    return Vertx.builder().with(options).withClusterManager(new Member(config.validate())).buildClustered();
  }

  public static Future<Vertx> start(ClusterConfig config) {
    return start(new VertxOptions(), config);
  }

  /** The Hazelcast cluster manager, with departures announced before leaving and watched for after joining. */
  private static final class Member extends HazelcastClusterManager {
    private Vertx vertx;

    Member(ClusterConfig config) {
      super(MemberConfig.build(config));
    }

    @Override
    public void init(Vertx vertx) {
      this.vertx = vertx;
      super.init(vertx);
    }

    @Override
    public void join(Completable<Void> promise) {
      Promise<Void> joined = Promise.promise();
      super.join(joined);
      joined.future().compose(v -> vertx.<Void>executeBlocking(() -> {
        Departures.watch(getHazelcastInstance());
        return null;
      })).onComplete(promise::complete);
    }

    @Override
    public void leave(Completable<Void> promise) {
      vertx.<Void>executeBlocking(() -> {
        if (getHazelcastInstance() != null) {
          Departures.announce(getHazelcastInstance());
        }
        return null;
      }).onComplete((ignored, failure) -> super.leave(promise));
    }
  }
}
