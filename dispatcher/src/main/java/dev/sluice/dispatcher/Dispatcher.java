package dev.sluice.dispatcher;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.dispatcher.admin.ManagementRoutes;
import dev.sluice.dispatcher.admission.RetryBudget;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.exact.ExactCountMeters;
import dev.sluice.dispatcher.exact.ExactCounter;
import dev.sluice.dispatcher.front.FrontVerticle;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.pipeline.ModelList;
import dev.sluice.dispatcher.call.Outcomes;
import dev.sluice.dispatcher.pipeline.Pipeline;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.relay.Relay;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.savings.LiveFigures;
import dev.sluice.dispatcher.security.ApiKeys;
import dev.sluice.dispatcher.security.KeyRateLimiter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running dispatcher node, put together: the pools ({@link Upstreams}), the request {@link Pipeline} and its
 * {@link Relay}, the management routes, the live savings figures, and the HTTP front deployed once per event
 * loop. Each piece gets the narrow collaborators it needs from here; none of them reaches back for the node.
 */
public final class Dispatcher {
  /** Time on top of the admission wait before a replaced pool's client may close. */
  private static final long SETTLE_MARGIN_MS = 1_000;

  private final Vertx vertx;
  private volatile DispatcherConfig config;
  private final ReliabilityConfig reliability;
  private final DispatcherHooks hooks;
  private final DispatcherMetrics metrics;
  private final AccessLog accessLog;
  private final Upstreams upstreams;
  private final RetryBudget retries;
  private final ExactCounter exactCounter;
  private final Pipeline pipeline;
  private final ManagementRoutes management;
  private volatile LiveFigures liveFigures;
  private final AtomicInteger actualPort = new AtomicInteger(-1);
  private volatile boolean ready;
  private volatile ClusterNode cluster;
  private String deploymentId;

  private Dispatcher(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks, DispatcherMetrics metrics,
      ReliabilityConfig reliability, AccessLog accessLog, int instances) {
    this.vertx = vertx;
    this.config = config;
    this.reliability = reliability;
    this.hooks = hooks;
    this.metrics = metrics;
    this.accessLog = accessLog;
    accessLog.bindTo(metrics.registry());
    this.upstreams = new Upstreams(vertx, config.pools(), new Upstreams.Settings(config.timeouts(),
        reliability.health(), reliability.admission(), reliability.spillOver(), reliability.upstreamKeys(), instances),
        metrics);
    this.retries = new RetryBudget(reliability.retryRatio(), reliability.retryMin());
    Relay relay = new Relay(vertx, hooks.estimator(), hooks.taps(), hooks.askUpstreamForUsage(), config.timeouts(),
        retries, metrics);
    this.exactCounter = new ExactCounter(vertx, upstreams, hooks.estimator(), config.estimator(),
        new ExactCountMeters(metrics.registry()));
    this.pipeline = new Pipeline(new ApiKeys(reliability.keys()), config.bodyCapBytes(), hooks.estimator(),
        exactCounter, config.defaultOutputReserve(), reliability.images(),
        new KeyRateLimiter(reliability.keys(), System.nanoTime()), upstreams, relay, new Outcomes(metrics, accessLog),
        new ModelList(upstreams, config.timeouts().modelsMs()));
    this.management = new ManagementRoutes(metrics, this::ready, this::cluster, hooks.calibration(), upstreams);
    this.liveFigures = new LiveFigures(vertx, upstreams.current(), metrics.registry());
  }

  /** Starts a node with the default hooks on as many front instances as event loops. */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    return start(vertx, config, DispatcherHooks.calibrating(CalibrationParams.defaults(), config.estimator().model(),
        metrics.registry()), metrics, defaultInstances());
  }

  /**
   * Starts a node. {@code config} is validated here; a bad one fails the future with a message naming the key.
   */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances) {
    return start(vertx, config, hooks, metrics, instances, ReliabilityConfig.DEFAULTS);
  }

  /** Starts a node with explicit reliability and security settings. */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances, ReliabilityConfig reliabilityConfig) {
    return start(vertx, config, hooks, metrics, instances, reliabilityConfig, AccessLog.OFF);
  }

  /** Starts a node that writes one access-log line per request to {@code accessLog} (closed on stop). */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances, ReliabilityConfig reliabilityConfig, AccessLog accessLog) {
    DispatcherConfig valid;
    try {
      valid = config.validated();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Dispatcher d = new Dispatcher(vertx, valid, hooks, metrics, reliabilityConfig, accessLog, instances);
    d.upstreams.start();
    FrontVerticle.Settings front = new FrontVerticle.Settings(valid.host(), valid.port(),
        reliabilityConfig.server().coveringUpstreamSilence(
            Math.max(valid.timeouts().firstByteMs(), valid.timeouts().streamIdleMs())),
        reliabilityConfig.drainGrace(), d::listening);
    return vertx.deployVerticle(() -> new FrontVerticle(front, d.pipeline, d.management),
            new DeploymentOptions().setInstances(instances))
        .map(id -> {
          d.deploymentId = id;
          d.liveFigures.start();
          d.ready = true;
          return d;
        })
        .recover(err -> d.upstreams.close().transform(ignored -> Future.failedFuture(err)));
  }

  /**
   * One front instance per core, on as many event loops ({@link #vertxOptions()}): each loop accepts client
   * connections and keeps its own upstream connections, so a request runs on one thread from accept to end.
   */
  public static int defaultInstances() {
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Vert.x options for a dispatcher process: one event loop per core, and the native transport (epoll)
   * when its jar is on the class path; Vert.x falls back to NIO silently when it is not.
   */
  public static VertxOptions vertxOptions() {
    return new VertxOptions().setEventLoopPoolSize(defaultInstances()).setPreferNativeTransport(true);
  }

  /** Stops the front (no new requests), then the probes and the upstream clients. */
  public Future<Void> stop() {
    ready = false;
    liveFigures.stop();
    Future<Void> undeploy = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    ClusterNode node = cluster;
    // the cluster goes last: it saves the calibration learned up to the final response
    return undeploy.eventually(upstreams::close)
        .eventually(() -> vertx.executeBlocking(() -> {
          accessLog.close();
          return null;
        }))
        .eventually(() -> node == null ? Future.succeededFuture() : node.stop());
  }

  /**
   * Takes the pools of {@code next} (endpoints, client limits, pools added or removed) for requests routed
   * from now on, in one swap; requests in flight finish on the pools they started with, whose clients close
   * once drained. Other keys take effect only at a restart; the ones that differ are returned so the caller can
   * say so. Runs on any thread; never on the request path.
   *
   * @throws dev.sluice.config.ConfigException when {@code next} is invalid (nothing changes)
   */
  public synchronized List<String> reload(DispatcherConfig next) {
    DispatcherConfig valid = next.validated();
    DispatcherConfig current = config;
    List<String> restartOnly = new ArrayList<>();
    if (!valid.host().equals(current.host())) {
      restartOnly.add("host");
    }
    if (valid.port() != current.port()) {
      restartOnly.add("port");
    }
    if (valid.bodyCapBytes() != current.bodyCapBytes()) {
      restartOnly.add("body_cap_bytes");
    }
    if (valid.defaultOutputReserve() != current.defaultOutputReserve()) {
      restartOnly.add("default_output_reserve");
    }
    if (!valid.timeouts().equals(current.timeouts())) {
      restartOnly.add("timeouts");
    }
    if (!valid.estimator().equals(current.estimator())) {
      restartOnly.add("estimator");
    }
    if (!valid.pools().equals(current.pools())) {
      upstreams.reconfigure(valid.pools(), reliability.admission().maxWaitMillis() + SETTLE_MARGIN_MS);
      config = current.withPools(valid.pools());
      // the figures follow the new pools and their endpoints
      LiveFigures old = liveFigures;
      old.close();
      LiveFigures figures = new LiveFigures(vertx, upstreams.current(), metrics.registry());
      figures.plannedRho(old.plannedRho());
      liveFigures = ready ? figures.start() : figures;
    }
    return restartOnly;
  }

  public Vertx vertx() {
    return vertx;
  }

  public DispatcherConfig config() {
    return config;
  }

  public DispatcherHooks hooks() {
    return hooks;
  }

  public DispatcherMetrics metrics() {
    return metrics;
  }

  /** The pools and their endpoints, as requests see them now. */
  /** The exact count at pool boundaries, and its meters. */
  public ExactCounter exactCounter() {
    return exactCounter;
  }

  public Upstreams upstreams() {
    return upstreams;
  }

  /** The node's retry budget. */
  public RetryBudget retries() {
    return retries;
  }

  /** Attaches the node's cluster membership (or single-node state keeper), for status and shutdown. */
  public void attachCluster(ClusterNode node) {
    this.cluster = node;
  }

  /** The cluster membership, or null when none was attached. */
  public ClusterNode cluster() {
    return cluster;
  }

  /** This node's in-flight requests per pool: what it publishes for the cluster-wide view. */
  public Map<String, Integer> inflightByPool() {
    return upstreams.inflightByPool();
  }

  /** Live alpha, throughput, rho and projected savings of this node. */
  public LiveFigures liveFigures() {
    return liveFigures;
  }

  /** Whether the node serves requests (readiness). */
  public boolean ready() {
    return ready;
  }

  /** The port the front listens on (useful with port 0). */
  public int port() {
    return actualPort.get();
  }

  private void listening(int port) {
    actualPort.compareAndSet(-1, port);
  }
}
