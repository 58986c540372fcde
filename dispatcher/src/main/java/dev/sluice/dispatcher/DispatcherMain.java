package dev.sluice.dispatcher;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cluster.ClusterConfig;
import dev.sluice.cluster.ClusterMetrics;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.cluster.ClusteredVertx;
import dev.sluice.dispatcher.admin.ManagementConfig;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.lifecycle.ConfigWatcher;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.trace.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** {@code ./sluice dispatcher ...}: runs one dispatcher node, alone or in a cluster, until it is stopped. */
public final class DispatcherMain {
  private static final long SHUTDOWN_SECONDS = 10;
  private static final long CLOSE_SECONDS = 2;

  private DispatcherMain() {
  }

  /** A started node: the Vert.x it runs on, the dispatcher, and how long its streams may drain. */
  public record Node(Vertx vertx, Dispatcher dispatcher, ReliabilityConfig reliability, ConfigWatcher watcher) {

    /**
     * Drains and stops the front, then the cluster membership (which saves the calibration), then Vert.x.
     * Blocks the calling thread (never an event loop) for at most the drain grace period plus a margin: the
     * completion of {@code close()} may never be delivered once its own event loops have stopped.
     */
    public void close() {
      watcher.stop();
      try {
        dispatcher.stop().await(reliability.drainGrace().toSeconds() + SHUTDOWN_SECONDS, TimeUnit.SECONDS);
      } catch (Throwable ignored) {
        // closing Vert.x anyway
      }
      try {
        vertx.close().await(CLOSE_SECONDS, TimeUnit.SECONDS);
      } catch (Throwable ignored) {
        // exiting anyway
      }
    }
  }

  /**
   * {@code ./sluice dispatcher ...}: starts a node and serves until the JVM is stopped; SIGTERM drains the open
   * streams, saves the calibration and leaves the cluster. Returns only when the node could not start: a
   * {@link dev.sluice.config.ConfigException} names a bad key, anything else why it could not start.
   */
  public static void serve(String[] args) throws InterruptedException {
    Node node = start(args).await();
    node.watcher().onHangup();
    warnUnusedVariables(args);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "sluice-shutdown"));
    DispatcherConfig config = node.dispatcher().config();
    String pools = config.pools().stream()
        .map(p -> p.name() + "=" + p.context() + "@" + p.endpoints().size() + " endpoint(s)")
        .collect(Collectors.joining(", "));
    ClusterNode cluster = node.dispatcher().cluster();
    ManagementConfig management = node.dispatcher().node().management();
    System.out.println("sluice dispatcher listening on " + (node.dispatcher().node().tls().enabled() ? "https://" : "")
        + config.host() + ":" + node.dispatcher().port() + " management " + management.host() + ":"
        + node.dispatcher().managementPort() + " pools: " + pools + " cluster: " + cluster.status().mode() + " node "
        + cluster.status().nodeId());
    if (management.keys().isEmpty() && !loopback(management.host())) {
      System.err.println("sluice dispatcher: the management listener on " + management.host() + " asks no key: "
          + "/metrics and /admin/* are open to whoever reaches it (set management.keys, or keep it on loopback; "
          + "docs/security.md)");
    }
    // the node's own threads serve; this one only waits for the JVM to stop
    new CountDownLatch(1).await();
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }

  /**
   * Starts a node from a command line: the {@code cluster:} keys (from the file, the environment or the
   * cluster flags) decide whether Vert.x is clustered; the calibration is shared through the cluster, or kept
   * in a local table saved to {@code --calibration-file} when alone. Fails with a
   * {@link dev.sluice.config.ConfigException} naming a bad key.
   */
  public static Future<Node> start(String[] args) {
    return start(args, System.getenv());
  }

  /** {@link #start(String[])} with an explicit environment for the {@code SLUICE_*} overrides. */
  public static Future<Node> start(String[] args, Map<String, String> env) {
    NodeConfig loaded;
    try {
      loaded = NodeConfig.load(args, env);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return start(loaded, args, env);
  }

  private static Future<Node> start(NodeConfig loaded, String[] args, Map<String, String> env) {
    ReliabilityConfig reliability = loaded.reliability();
    ClusterConfig clusterConfig = loaded.cluster();
    loaded.observe().applyLogLevels();
    return ClusteredVertx.start(Dispatcher.vertxOptions(), clusterConfig).compose(vertx -> {
      DispatcherMetrics metrics = new DispatcherMetrics();
      DispatcherHooks hooks = DispatcherHooks.calibrating(CalibrationParams.defaults(),
          loaded.dispatcher().estimator().model(), metrics.registry());
      return Dispatcher.start(vertx, loaded, hooks, metrics, Dispatcher.defaultInstances(),
              AccessLog.of(loaded.observe().accessLog()), Tracing.of(loaded.observe().tracing()))
          .compose(dispatcher -> ClusterNode.start(vertx, clusterConfig, hooks.calibration(), dispatcher::inflightByPool)
              .map(cluster -> {
                new ClusterMetrics(cluster).bindTo(metrics.registry());
                dispatcher.attachCluster(cluster);
                // pools follow the file (checked off the event loops) and SIGHUP; an invalid file is refused
                ConfigWatcher watcher = new ConfigWatcher(vertx, NodeConfig.BINDING.configFile(args),
                    () -> NodeConfig.load(args, env).dispatcher(), dispatcher::reload)
                    .start(ConfigWatcher.DEFAULT_CHECK_MS);
                return new Node(vertx, dispatcher, reliability, watcher);
              })
              .recover(err -> dispatcher.stop().transform(ignored -> Future.failedFuture(err))))
          .recover(err -> vertx.close().transform(ignored -> Future.failedFuture(err)));
    });
  }

  /** A SLUICE_* variable that sets nothing is most likely a typo: say so once at start. */
  private static void warnUnusedVariables(String[] args) {
    for (String name : NodeConfig.BINDING.load(args, System.getenv()).unusedVariables()) {
      if (!name.equals("SLUICE_JAVA_OPTS")) { // the launcher's
        System.err.println("sluice dispatcher: " + name + " names no configuration key and is ignored"
            + " (docs/configuration.md lists the variables)");
      }
    }
  }
}
