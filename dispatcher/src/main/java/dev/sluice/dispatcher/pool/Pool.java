package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.Chooser;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.health.PoolHealth;
import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pool as a request sees it: its endpoints, an HTTP client per event loop towards them, its admission, its
 * meters and the key Sluice presents upstream. Immutable apart from the endpoints' own state;
 * a reload builds a new pool rather than changing this one, so a request in flight keeps the pool it started
 * on. The client's wait queue is bounded so that overload turns into a fast 503, not a growing queue.
 */
public final class Pool {
  private final int index;
  private final PoolConfig config;
  private final CharSequence nameHeader;
  private final Endpoint[] endpoints;
  private final PoolHealth health;
  private final Vertx vertx;
  private final HttpClientOptions clientOptions;
  private final PoolOptions poolOptions;
  /**
   * One client per event loop, made on its first request there. A client shared by every loop hands a request
   * a connection that another loop owns, and every event of that exchange then crosses threads through task
   * queues: 45% of the event loops' CPU samples at 2 loops (docs/benchmarks.md, "Per-loop upstream clients").
   */
  private final ConcurrentHashMap<EventLoop, HttpClientAgent> clients = new ConcurrentHashMap<>();
  private final DispatcherMetrics.PoolMeters meters;
  private final PoolAdmission admission;
  private final String upstreamAuthorization;
  private final long loadStaleMillis;
  private final RoutingConfig routing;
  /** Each endpoint's rendezvous seed, by position. */
  private final long[] seeds;

  /**
   * Idle pooled connections to an upstream are closed after this many seconds. Below uvicorn's 5 s keep-alive
   * (vLLM's server), so Sluice closes first rather than reuse a connection the server is closing.
   */
  static final int UPSTREAM_KEEP_ALIVE_SECONDS = 4;

  /** @param eventLoops the event loops requests arrive on; the connection limits are spread over them */
  Pool(Vertx vertx, int index, PoolConfig config, Timeouts timeouts, OutlierPolicy outliers, PoolAdmission admission,
      DispatcherMetrics.PoolMeters meters, String upstreamAuthorization, int eventLoops, RoutingConfig routing) {
    this.index = index;
    this.config = config;
    this.nameHeader = HttpHeaders.createOptimized(config.name());
    this.health = new PoolHealth(config.name(), config.endpoints().stream().map(Object::toString).toList(), outliers);
    this.endpoints = new Endpoint[config.endpoints().size()];
    for (int i = 0; i < endpoints.length; i++) {
      endpoints[i] = new Endpoint(config.endpoints().get(i), health.endpoint(i));
    }
    this.seeds = new long[endpoints.length];
    for (int i = 0; i < endpoints.length; i++) {
      seeds[i] = endpoints[i].seed();
    }
    this.routing = routing;
    this.loadStaleMillis = outliers.loadStaleMillis();
    this.admission = admission;
    this.meters = meters;
    this.upstreamAuthorization = upstreamAuthorization;
    this.vertx = vertx;
    this.clientOptions = new HttpClientOptions()
        .setConnectTimeout(timeouts.connectMs())
        .setKeepAlive(true)
        .setKeepAliveTimeout(UPSTREAM_KEEP_ALIVE_SECONDS)
        .setPipelining(false)
        // the relay forwards bytes as they are; decompressing would change them
        .setDecompressionSupported(false);
    int loops = Math.max(1, eventLoops);
    this.poolOptions = new PoolOptions()
        .setHttp1MaxSize(perLoop(config.limits().maxConnectionsPerEndpoint(), loops))
        .setMaxWaitQueueSize(perLoop(config.limits().maxWaitQueue(), loops));
  }

  /** The limits of each event loop's client. */
  PoolOptions perLoopLimits() {
    return poolOptions;
  }

  /** One loop's share of a node-wide limit, rounded up. */
  private static int perLoop(int limit, int loops) {
    return (limit + loops - 1) / loops;
  }

  /** Position in the pool list, smallest context first. */
  public int index() {
    return index;
  }

  public String name() {
    return config.name();
  }

  public int context() {
    return config.context();
  }

  public PoolConfig config() {
    return config;
  }

  /** The name, encoded once for the {@code x-sluice-pool} header. */
  public CharSequence nameHeader() {
    return nameHeader;
  }

  public List<Endpoint> endpoints() {
    return List.of(endpoints);
  }

  public int size() {
    return endpoints.length;
  }

  /** The pool's endpoints as a health group (ejection share). */
  public PoolHealth health() {
    return health;
  }

  /** The client of the event loop that runs {@code context}: its connections live on that loop. */
  public HttpClientAgent client(ContextInternal context) {
    EventLoop loop = context.nettyEventLoop();
    HttpClientAgent c = clients.get(loop);
    return c != null ? c : clients.computeIfAbsent(loop, l -> vertx.createHttpClient(clientOptions, poolOptions));
  }

  public DispatcherMetrics.PoolMeters meters() {
    return meters;
  }

  /** Bounded in-flight and the bounded wait for this pool's name (kept across reloads). */
  public PoolAdmission admission() {
    return admission;
  }

  /**
   * The {@code Authorization} value for requests to this pool's endpoints ({@code Bearer <key>}), or null; the
   * client's own {@code Authorization} is never forwarded.
   */
  public String upstreamAuthorization() {
    return upstreamAuthorization;
  }

  /** Requests in flight over all endpoints of the pool. */
  public int inFlight() {
    int sum = 0;
    for (Endpoint e : endpoints) {
      sum += e.inFlight();
    }
    return sum;
  }

  /** Endpoints that may take a request now. */
  public int availableCount(long nowNanos) {
    return health.availableCount(nowNanos);
  }

  /**
   * The endpoint for a try of a request of {@code budget} tokens whose affinity key is {@code key}, among the
   * available endpoints other than {@code avoid} ({@link Chooser}): with a key (and {@code routing.affinity} on)
   * the key's home or the next in its order within the load bound, else the less loaded of two drawn at random
   * (or, with {@code routing.load: requests}, the least loaded by requests in flight and queued).
   * When none is available, the least busy one other than {@code avoid} (admission saw an available endpoint a
   * moment ago); {@code avoid} itself only when it is the only one. Counts the choice in
   * {@code sluice_affinity_total}. Lock-free and allocation-free: two loops choosing at once may both pick the
   * same endpoint, which makes the spread slightly less even, never wrong.
   */
  public Endpoint pick(Endpoint avoid, long key, long budget) {
    int n = endpoints.length;
    long now = System.nanoTime();
    boolean byBudget = routing.load() == RoutingConfig.Load.BUDGET;
    Chooser chooser = Chooser.current().reset(n);
    for (int i = 0; i < n; i++) {
      Endpoint e = endpoints[i];
      if (e != avoid && e.available(now)) {
        chooser.eligible(i, byBudget ? e.load(now, loadStaleMillis, budget)
            : e.inFlight() + e.queued(now, loadStaleMillis));
      }
    }
    boolean keyed = key != AffinityKey.NONE && routing.affinity();
    int chosen = !chooser.any() ? -1
        : keyed ? chooser.affinity(key, seeds, routing.affinityLoadFactor())
        : byBudget ? chooser.powerOfTwo() : chooser.leastLoaded();
    Endpoint e;
    Chooser.Result result;
    if (chosen >= 0) {
      e = endpoints[chosen];
      result = keyed ? chooser.result() : Chooser.Result.NONE;
    } else {
      e = leastBusy(avoid);
      result = keyed ? Chooser.Result.SPILL : Chooser.Result.NONE;
    }
    meters.affinity(result);
    if (result != Chooser.Result.NONE) {
      e.countAffinityTry();
    }
    return e;
  }

  private Endpoint leastBusy(Endpoint avoid) {
    Endpoint best = null;
    for (Endpoint e : endpoints) {
      if (e != avoid && (best == null || e.inFlight() < best.inFlight())) {
        best = e;
      }
    }
    return best != null ? best : avoid;
  }

  /** The share of the pool's affinity tries (hits and spills) that went to {@code e}; 0 before any. */
  public double affinityShare(Endpoint e) {
    long total = 0;
    for (Endpoint x : endpoints) {
      total += x.affinityTries();
    }
    return total == 0 ? 0 : (double) e.affinityTries() / total;
  }

  /** The routing settings the pool chooses endpoints by. */
  public RoutingConfig routing() {
    return routing;
  }

  /** The stale limit of scraped loads, for reporting an endpoint's load as the choice sees it. */
  public long loadStaleMillis() {
    return loadStaleMillis;
  }

  /** How loaded the pool is now, for spill-over. */
  public PoolPressure pressure(long nowNanos) {
    return PoolPressure.of(health, admission.inFlight(), admission.capacity(), nowNanos);
  }

  Future<Void> close() {
    return Future.join(clients.values().stream().map(HttpClientAgent::close).toList()).mapEmpty();
  }

  @Override
  public String toString() {
    return name();
  }
}
