package dev.sluice.dispatcher;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.http.FrontVerticle;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.relay.Relay;
import dev.sluice.dispatcher.relay.UpstreamPool;
import dev.sluice.dispatcher.relay.Upstreams;
import dev.sluice.dispatcher.reliability.Reliability;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.reliability.ReliabilityMeters;
import dev.sluice.dispatcher.savings.LiveFigures;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running dispatcher node: the shared pieces (pools and their clients, relay, metrics) and the HTTP
 * front deployed once per event loop.
 */
public final class Dispatcher {
  private final Vertx vertx;
  private volatile DispatcherConfig config;
  private final DispatcherHooks hooks;
  private final DispatcherMetrics metrics;
  private final Upstreams upstreams;
  private final Relay relay;
  private final Reliability reliability;
  private volatile LiveFigures liveFigures;
  private final AccessLog accessLog;
  private final AtomicInteger actualPort = new AtomicInteger(-1);
  private volatile boolean ready;
  private volatile ClusterNode cluster;
  private String deploymentId;

  private Dispatcher(Vertx vertx, DispatcherConfig config, DispatcherHooks hooks, DispatcherMetrics metrics,
      ReliabilityConfig reliabilityConfig, AccessLog accessLog) {
    this.vertx = vertx;
    this.accessLog = accessLog;
    accessLog.bindTo(metrics.registry());
    this.config = config;
    this.hooks = hooks;
    this.metrics = metrics;
    this.upstreams = new Upstreams(vertx, config, metrics);
    this.reliability = new Reliability(vertx, poolUrls(config), reliabilityConfig);
    ReliabilityMeters.bind(metrics.registry(), reliability);
    this.liveFigures = new LiveFigures(vertx, config, metrics.registry(), reliability.health());
    this.relay = new Relay(vertx, upstreams, hooks.estimator(), hooks.taps(), hooks.askUpstreamForUsage(),
        config.timeouts(), metrics, reliability, accessLog);
  }

  /** Pool name → endpoint URLs (as {@code Endpoint.url()} spells them), smallest context first. */
  private static Map<String, List<String>> poolUrls(DispatcherConfig config) {
    Map<String, List<String>> urls = new LinkedHashMap<>();
    config.pools().forEach(p -> urls.put(p.name(), p.endpoints().stream().map(Object::toString).toList()));
    return urls;
  }

  /** Starts a node with the default hooks on as many front instances as event loops. */
  public static Future<Dispatcher> start(Vertx vertx, DispatcherConfig config) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    return start(vertx, config, DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()), metrics,
        defaultInstances());
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
    Dispatcher d = new Dispatcher(vertx, valid, hooks, metrics, reliabilityConfig, accessLog);
    d.reliability.start();
    return vertx.deployVerticle(() -> new FrontVerticle(d), new DeploymentOptions().setInstances(instances))
        .map(id -> {
          d.deploymentId = id;
          d.liveFigures.start();
          d.ready = true;
          return d;
        })
        .recover(err -> d.reliability.stop().eventually(d.upstreams::close)
            .transform(ignored -> Future.failedFuture(err)));
  }

  /**
   * One front instance per core, on as many event loops ({@link #vertxOptions()}). Vert.x's default of two
   * loops per core only adds hand-offs here: the upstream connections are shared by all loops, so a request
   * accepted on one loop is often relayed over a connection owned by another, and every extra loop makes
   * that cross-thread hop more likely.
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

  /** Stops the front (no new requests), then closes the upstream clients. */
  public Future<Void> stop() {
    ready = false;
    liveFigures.stop();
    Future<Void> undeploy = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    ClusterNode node = cluster;
    // the cluster goes last: it saves the calibration learned up to the final response
    return undeploy.eventually(reliability::stop).eventually(upstreams::close)
        .eventually(() -> vertx.executeBlocking(() -> {
          accessLog.close();
          return null;
        }))
        .eventually(() -> node == null ? Future.succeededFuture() : node.stop());
  }

  /**
   * Takes the pools of {@code next} (endpoints, client limits, pools added or removed) for requests routed
   * from now on; requests in flight finish on the clients they started with, which are closed once
   * drained. Other keys take effect only at a restart; the ones that differ are returned so the caller can
   * say so. Runs on any thread; never on the request path.
   *
   * @throws dev.sluice.dispatcher.config.ConfigException when {@code next} is invalid (nothing changes)
   */
  public synchronized List<String> reload(DispatcherConfig next) {
    DispatcherConfig valid = next.validated();
    DispatcherConfig current = config;
    List<String> restartOnly = new java.util.ArrayList<>();
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
    if (!valid.pools().equals(current.pools())) {
      // reliability first: it keeps the admission of every pool name either list can route to
      reliability.reconfigure(poolUrls(valid));
      ReliabilityMeters.rebind(metrics.registry(), reliability);
      upstreams.reconfigure(valid.pools(), reliability.config().admission().maxWaitMillis() + SETTLE_MARGIN_MS);
      config = current.withPools(valid.pools());
      // the figures follow the new pools and their (rebuilt) endpoint health
      LiveFigures old = liveFigures;
      old.close();
      LiveFigures figures = new LiveFigures(vertx, config, metrics.registry(), reliability.health());
      figures.plannedRho(old.plannedRho());
      liveFigures = ready ? figures.start() : figures;
    }
    return restartOnly;
  }

  /** Time on top of the admission wait before a replaced pool's client may close. */
  private static final long SETTLE_MARGIN_MS = 1_000;

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

  public Upstreams upstreams() {
    return upstreams;
  }

  public Relay relay() {
    return relay;
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
    Map<String, Integer> out = new HashMap<>();
    for (UpstreamPool p : upstreams.pools()) {
      out.put(p.name(), p.inFlight());
    }
    return out;
  }

  /** Endpoint health, admission, keys and limits of this node. */
  public Reliability reliability() {
    return reliability;
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

  /** Called by each front instance once it listens. */
  public void listening(int port) {
    actualPort.compareAndSet(-1, port);
  }
}
