package dev.sluice.dispatcher;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.cluster.QuotaLedger;
import dev.sluice.dispatcher.admin.ManagementRoutes;
import dev.sluice.dispatcher.admin.ManagementVerticle;
import dev.sluice.dispatcher.admission.BodyBudget;
import dev.sluice.dispatcher.admission.RetryBudget;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.exact.ExactCountMeters;
import dev.sluice.dispatcher.exact.ExactCounter;
import dev.sluice.dispatcher.front.FrontVerticle;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.pipeline.ModelList;
import dev.sluice.dispatcher.call.Outcomes;
import dev.sluice.dispatcher.pipeline.Pipeline;
import dev.sluice.dispatcher.pool.PoolSet;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.protocol.ConnectionLimit;
import dev.sluice.dispatcher.relay.Relay;
import dev.sluice.dispatcher.route.ResponseHomes;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.savings.LiveFigures;
import dev.sluice.dispatcher.security.ApiKeys;
import dev.sluice.dispatcher.security.CertificateWatcher;
import dev.sluice.dispatcher.security.KeyRateLimiter;
import dev.sluice.dispatcher.trace.Tracing;
import dev.sluice.dispatcher.security.TlsCertificate;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running dispatcher node, put together: the pools ({@link Upstreams}), the request {@link Pipeline} and its
 * {@link Relay}, the public listener deployed once per event loop, the management listener, the live savings
 * figures, the node's memory bounds and the certificate watcher. Each piece gets the narrow collaborators it
 * needs from here; none of them reaches back for the node.
 */
public final class Dispatcher {
  /** Time on top of the admission wait before a replaced pool's client may close. */
  private static final long SETTLE_MARGIN_MS = 1_000;

  private final Vertx vertx;
  private final NodeConfig node;
  private volatile DispatcherConfig config;
  private final ReliabilityConfig reliability;
  private final DispatcherHooks hooks;
  private final DispatcherMetrics metrics;
  private final AccessLog accessLog;
  /** Null when tracing is off. */
  private final Tracing tracing;
  private final Upstreams upstreams;
  private final RetryBudget retries;
  private final ConnectionLimit connections;
  private final BodyBudget bodies;
  private final ExactCounter exactCounter;
  private final Pipeline pipeline;
  private final ManagementRoutes management;
  private final List<FrontVerticle> fronts = new CopyOnWriteArrayList<>();
  private volatile LiveFigures liveFigures;
  private final AtomicInteger actualPort = new AtomicInteger(-1);
  private final AtomicInteger managementPort = new AtomicInteger(-1);
  private volatile boolean ready;
  private volatile ClusterNode cluster;
  private CertificateWatcher certificates;
  private String deploymentId;
  private String managementId;

  private Dispatcher(Vertx vertx, NodeConfig node, DispatcherHooks hooks, DispatcherMetrics metrics,
      AccessLog accessLog, Tracing tracing, int instances) {
    this.vertx = vertx;
    this.node = node;
    this.config = node.dispatcher();
    this.reliability = node.reliability();
    this.hooks = hooks;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.tracing = tracing;
    accessLog.bindTo(metrics.registry());
    this.upstreams = new Upstreams(vertx, config.pools(), config.models(), new Upstreams.Settings(config.timeouts(),
        reliability.health(), reliability.admission(), reliability.spillOver(), reliability.upstreamKeys(),
        instances, node.discovery(), node.routing()), metrics);
    this.retries = new RetryBudget(reliability.retryRatio(), reliability.retryMin());
    this.connections = new ConnectionLimit(node.limits().maxConnections());
    connections.bindTo(metrics.registry());
    this.bodies = new BodyBudget(node.limits().maxBufferedBodyBytes());
    bodies.bindTo(metrics.registry());
    ResponseHomes responseHomes = new ResponseHomes();
    Relay relay = new Relay(vertx, hooks.estimator(), hooks.taps(), hooks.askUpstreamForUsage(), config.timeouts(),
        retries, metrics, responseHomes);
    this.exactCounter = new ExactCounter(vertx, hooks.estimator(), config.estimator(),
        new ExactCountMeters(metrics.registry()));
    // clustered, a key's limits are the cluster's: leased from the buckets all nodes share
    KeyRateLimiter limiter = new KeyRateLimiter(reliability.keys(), System.nanoTime(), QuotaLedger.of(vertx));
    this.pipeline = new Pipeline(new ApiKeys(reliability.keys()), config.bodyCapBytes(), bodies, hooks.estimator(),
        exactCounter, config.defaultOutputReserve(), reliability.images(), limiter, upstreams, relay,
        new Outcomes(metrics, accessLog, tracing),
        new ModelList(upstreams, config.timeouts().modelsMs(), config.modelsCacheMillis()), responseHomes);
    this.management = new ManagementRoutes(metrics, this::ready, this::cluster, hooks.calibration(), upstreams,
        ApiKeys.ofHashes("management", node.management().keys()), limiter, reliability.keys());
    this.liveFigures = new LiveFigures(vertx, upstreams.current(), metrics.registry());
    upstreams.onSwap(this::figuresFollow);
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
    return start(vertx, config, hooks, metrics, instances, reliabilityConfig, accessLog, null);
  }

  /** Starts a node that also traces its requests into {@code tracing} (closed on stop; null: off). */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances, ReliabilityConfig reliabilityConfig, AccessLog accessLog,
      Tracing tracing) {
    return start(vertx, NodeConfig.embedded(config, reliabilityConfig), hooks, metrics, instances, accessLog,
        tracing);
  }

  /** Starts a node that chooses endpoints as {@code routing} says. */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances, ReliabilityConfig reliabilityConfig, RoutingConfig routing,
      AccessLog accessLog) {
    return start(vertx, NodeConfig.embedded(config, reliabilityConfig).withRouting(routing), hooks, metrics,
        instances, accessLog, null);
  }

  /** {@link #start(Vertx, NodeConfig, DispatcherHooks, DispatcherMetrics, int, AccessLog, Tracing)} untraced. */
  public static Future<Dispatcher> start(Vertx vertx, NodeConfig node, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances, AccessLog accessLog) {
    return start(vertx, node, hooks, metrics, instances, accessLog, null);
  }

  /**
   * Starts a node of this whole configuration: the pools (once every DNS name was looked up), the public
   * listener on {@code instances} event loops, the management listener; requests traced into {@code tracing}
   * (closed on stop; null: off). {@code node}'s dispatcher keys are validated here; a bad one fails the future
   * with a message naming the key.
   */
  public static Future<Dispatcher> start(Vertx vertx, NodeConfig node, DispatcherHooks hooks,
      DispatcherMetrics metrics, int instances, AccessLog accessLog, Tracing tracing) {
    NodeConfig valid;
    try {
      valid = node.withDispatcher(node.dispatcher().validated());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Dispatcher d = new Dispatcher(vertx, valid, hooks, metrics, accessLog, tracing, instances);
    DispatcherConfig dc = valid.dispatcher();
    ReliabilityConfig reliability = valid.reliability();
    FrontVerticle.Settings front = new FrontVerticle.Settings(dc.host(), dc.port(),
        reliability.server().coveringUpstreamSilence(
            Math.max(dc.timeouts().firstByteMs(), dc.timeouts().streamIdleMs())),
        d.connections, valid.tls().certificate(), reliability.drainGrace(), d::listening);
    // the endpoints DNS knows are found before the first request is taken
    return d.upstreams.start()
        .compose(found -> vertx.deployVerticle(new ManagementVerticle(valid.management(), reliability.server(),
            d.management, d.managementPort::set)))
        .compose(id -> {
          d.managementId = id;
          return vertx.deployVerticle(() -> d.front(new FrontVerticle(front, d.pipeline, d.management)),
              new DeploymentOptions().setInstances(instances));
        })
        .map(id -> {
          d.deploymentId = id;
          if (valid.tls().enabled()) {
            d.certificates = new CertificateWatcher(vertx, valid.tls(), d::updateCertificate, metrics.registry())
                .start();
          }
          d.liveFigures.start();
          d.ready = true;
          return d;
        })
        .recover(err -> d.stop().transform(ignored -> Future.failedFuture(err)));
  }

  private FrontVerticle front(FrontVerticle instance) {
    fronts.add(instance);
    return instance;
  }

  /**
   * Serves HTTPS with {@code next} on every front instance: on a fixed port they share one listener (each call
   * sets the same certificate), but with port 0 each instance has a listener of its own.
   */
  private Future<?> updateCertificate(TlsCertificate next) {
    return Future.all(fronts.stream().map(f -> f.updateCertificate(next)).toList());
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

  /** Stops the front (no new requests), then the management listener, the probes and the upstream clients. */
  public Future<Void> stop() {
    ready = false;
    liveFigures.stop();
    if (certificates != null) {
      certificates.stop();
    }
    Future<Void> undeploy = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    ClusterNode node = cluster;
    // the cluster goes last: it saves the calibration learned up to the final response
    return undeploy
        .eventually(() -> managementId == null ? Future.succeededFuture() : vertx.undeploy(managementId))
        .eventually(upstreams::close)
        .eventually(() -> vertx.executeBlocking(() -> {
          accessLog.close();
          if (tracing != null) {
            tracing.close();
          }
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
    if (valid.modelsCacheMillis() != current.modelsCacheMillis()) {
      restartOnly.add("models_cache_ms");
    }
    if (!valid.estimator().equals(current.estimator())) {
      restartOnly.add("estimator");
    }
    if (!valid.pools().equals(current.pools()) || !valid.models().equals(current.models())) {
      config = current.withPools(valid.pools()).withModels(valid.models());
      upstreams.reconfigure(valid.pools(), valid.models(), reliability.admission().maxWaitMillis() + SETTLE_MARGIN_MS);
    }
    return restartOnly;
  }

  /** After a reload or a discovery change: the figures follow the new pools and their endpoints. */
  private synchronized void figuresFollow(PoolSet set) {
    LiveFigures old = liveFigures;
    old.close();
    LiveFigures figures = new LiveFigures(vertx, set, metrics.registry(), old);
    liveFigures = ready ? figures.start() : figures;
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

  /** The node's tracing, or null when it is off. */
  public Tracing tracing() {
    return tracing;
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

  /** The port the management listener listens on (useful with port 0). */
  public int managementPort() {
    return managementPort.get();
  }

  /** The node's whole configuration as it started (the pools follow reloads: see {@link #config()}). */
  public NodeConfig node() {
    return node;
  }

  /** The node's connection cap and its count of open connections. */
  public ConnectionLimit connections() {
    return connections;
  }

  /** The node's budget of request body bytes held in memory, and what is held now. */
  public BodyBudget bodies() {
    return bodies;
  }

  private void listening(int port) {
    actualPort.compareAndSet(-1, port);
  }
}
