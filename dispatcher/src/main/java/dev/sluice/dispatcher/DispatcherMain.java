package dev.sluice.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cluster.ClusterConfig;
import dev.sluice.cluster.ClusterMetrics;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.cluster.ClusteredVertx;
import dev.sluice.dispatcher.config.ConfigException;
import dev.sluice.dispatcher.config.ConfigLoader;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.EnvOverrides;
import dev.sluice.dispatcher.lifecycle.ConfigWatcher;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.observe.ObserveSettings;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.reliability.ReliabilityConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
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

  public static void main(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(ConfigLoader.USAGE + "\n" + ClusterConfig.FLAGS_HELP);
        return;
      }
    }
    Node node;
    try {
      node = start(args).await();
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("sluice dispatcher: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Throwable e) {
      System.err.println("sluice dispatcher: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    node.watcher().onHangup();
    warnUnusedVariables(args);
    // SIGTERM: stop accepting, let open streams finish within the drain grace period, save the calibration
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "sluice-shutdown"));
    DispatcherConfig config = node.dispatcher().config();
    String pools = config.pools().stream()
        .map(p -> p.name() + "=" + p.context() + "@" + p.endpoints().size() + " endpoint(s)")
        .collect(Collectors.joining(", "));
    ClusterNode cluster = node.dispatcher().cluster();
    System.out.println("sluice dispatcher listening on " + config.host() + ":" + node.dispatcher().port()
        + " pools: " + pools + " cluster: " + cluster.status().mode() + " node " + cluster.status().nodeId());
  }

  /**
   * Starts a node from a command line: the cluster flags (and the file's {@code cluster:} section) decide
   * whether Vert.x is clustered; the calibration is shared through the cluster, or kept in a local table
   * saved to {@code --calibration-file} when alone. Fails with a {@link ConfigException} naming a bad key.
   */
  public static Future<Node> start(String[] args) {
    return start(args, System.getenv());
  }

  /** {@link #start(String[])} with an explicit environment for the {@code SLUICE_*} overrides. */
  public static Future<Node> start(String[] args, Map<String, String> env) {
    Loaded loaded;
    try {
      loaded = load(args, env);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return start(loaded, args, env);
  }

  /** Everything a node is configured with, read from file, environment and flags (in rising precedence). */
  public record Loaded(DispatcherConfig dispatcher, ReliabilityConfig reliability, ClusterConfig cluster,
      ObserveSettings observe, EnvOverrides.Result env) {
  }

  /**
   * Reads and validates the whole configuration; a bad key fails with a {@link ConfigException} naming it.
   */
  public static Loaded load(String[] args, Map<String, String> env) {
    EnvOverrides.Result tree = ConfigLoader.loadTree(args, env);
    ClusterConfig.Parsed parsed;
    try {
      parsed = ClusterConfig.fromArgs(args, clusterSection(tree.tree()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    DispatcherConfig config = ConfigLoader.fromArgs(parsed.rest(), tree.tree()).validated();
    ReliabilityConfig reliability = ReliabilityConfigLoader.fromRoot(tree.tree());
    ObserveSettings observe = ObserveSettings.fromRoot(tree.tree());
    return new Loaded(config, reliability, parsed.config().validate(), observe, tree);
  }

  private static Future<Node> start(Loaded loaded, String[] args, Map<String, String> env) {
    DispatcherConfig config = loaded.dispatcher();
    ReliabilityConfig reliability = loaded.reliability();
    ClusterConfig clusterConfig = loaded.cluster();
    loaded.observe().applyLogLevels();
    return ClusteredVertx.start(Dispatcher.vertxOptions(), clusterConfig).compose(vertx -> {
      DispatcherMetrics metrics = new DispatcherMetrics();
      DispatcherHooks hooks = DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry());
      return Dispatcher.start(vertx, config, hooks, metrics, Dispatcher.defaultInstances(), reliability,
              AccessLog.of(loaded.observe().accessLog()))
          .compose(dispatcher -> ClusterNode.start(vertx, clusterConfig, hooks.calibration(), dispatcher::inflightByPool)
              .map(cluster -> {
                new ClusterMetrics(cluster).bindTo(metrics.registry());
                dispatcher.attachCluster(cluster);
                // pools follow the file (checked off the event loops) and SIGHUP; an invalid file is refused
                ConfigWatcher watcher = new ConfigWatcher(vertx, ConfigLoader.configFile(args),
                    () -> load(args, env).dispatcher(), dispatcher::reload)
                    .start(ConfigWatcher.DEFAULT_CHECK_MS);
                return new Node(vertx, dispatcher, reliability, watcher);
              })
              .recover(err -> dispatcher.stop().transform(ignored -> Future.failedFuture(err))))
          .recover(err -> vertx.close().transform(ignored -> Future.failedFuture(err)));
    });
  }

  /** A SLUICE_* variable that sets nothing is most likely a typo: say so once at start. */
  private static void warnUnusedVariables(String[] args) {
    EnvOverrides.Result env = ConfigLoader.loadTree(args, System.getenv());
    java.util.Set<String> used = new java.util.HashSet<>(java.util.List.of("SLUICE_JAVA_OPTS"));
    env.tree().path("reliability").path("security").path("upstream_keys")
        .forEach(entry -> used.add(entry.path("env").asText()));
    for (String name : env.ignored()) {
      if (!used.contains(name)) {
        System.err.println("sluice dispatcher: " + name + " names no configuration key and is ignored"
            + " (docs/configuration.md lists the variables)");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static ClusterConfig clusterSection(JsonNode root) {
    JsonNode section = root == null ? null : root.get("cluster");
    if (section == null || section.isNull()) {
      return ClusterConfig.defaults();
    }
    if (!section.isObject()) {
      throw new ConfigException("cluster must be a mapping");
    }
    return ClusterConfig.fromMap(new ObjectMapper().convertValue(section, Map.class));
  }
}
