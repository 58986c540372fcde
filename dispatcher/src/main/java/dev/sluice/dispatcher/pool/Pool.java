package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.Chooser;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.health.PoolHealth;
import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import java.util.List;

/**
 * One pool as a request sees it: its endpoints at one moment, and through its {@link PoolClient} an HTTP client
 * per event loop towards them and the key Sluice presents upstream; its admission and its meters. An
 * immutable snapshot apart from the endpoints' own state: discovery and reloads build new pools rather than
 * change this one, so a request in flight keeps the pool it started on. A discovery change keeps the client,
 * admission and meters and every endpoint whose address stayed ({@link #withEndpoints}).
 */
public final class Pool {
  private final int index;
  private final PoolClient shared;
  private final Endpoint[] endpoints;
  private final PoolHealth health;
  private final DispatcherMetrics.PoolMeters meters;
  private final PoolAdmission admission;
  private final long loadStaleMillis;
  private final RoutingConfig routing;
  /**
   * Up to this many endpoints a keyless try scans them all for the least budget in flight: on four mocks that
   * lowered TTFT p99 by 10–17% against the random pair (docs/benchmarks.md, "Endpoint choice"). Beyond it the
   * pair keeps nodes and event loops from herding onto the same endpoint between scrapes.
   */
  static final int FULL_SCAN_MAX = 8;
  /** Each endpoint's rendezvous seed, by position. */
  private final long[] seeds;

  Pool(int index, PoolClient shared, List<Endpoint> endpoints, OutlierPolicy outliers, PoolAdmission admission,
      DispatcherMetrics.PoolMeters meters, RoutingConfig routing) {
    this.index = index;
    this.shared = shared;
    this.endpoints = endpoints.toArray(Endpoint[]::new);
    this.health = new PoolHealth(shared.config().name(), outliers,
        endpoints.stream().map(Endpoint::health).toList());
    this.seeds = new long[this.endpoints.length];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = this.endpoints[i].seed();
    }
    this.routing = routing;
    this.loadStaleMillis = outliers.loadStaleMillis();
    this.admission = admission;
    this.meters = meters;
    for (Endpoint e : endpoints) {
      shared.serves(e);
    }
  }

  /** The same pool (client, admission, meters) over other endpoints, at position {@code position}. */
  Pool withEndpoints(int position, List<Endpoint> next) {
    return new Pool(position, shared, next, health.policy(), admission, meters, routing);
  }

  PoolClient shared() {
    return shared;
  }

  /** Position in the pool list, smallest context first. */
  public int index() {
    return index;
  }

  public String name() {
    return shared.config().name();
  }

  public int context() {
    return shared.config().context();
  }

  public PoolConfig config() {
    return shared.config();
  }

  /** The name, encoded once for the {@code x-sluice-pool} header. */
  public CharSequence nameHeader() {
    return shared.nameHeader();
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
    return shared.client(context);
  }

  /** The limits of each event loop's client. */
  PoolOptions perLoopLimits() {
    return shared.perLoopLimits();
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
    return shared.upstreamAuthorization();
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
   * the key's home or the next in its order within the load bound, else the least loaded by budget tokens in
   * flight (the less loaded of two drawn at random in a pool of more than {@value #FULL_SCAN_MAX} endpoints), or
   * with {@code routing.load: requests} the least loaded by requests in flight and queued.
   * When none is available, the least busy one other than {@code avoid} (admission saw an available endpoint a
   * moment ago); {@code avoid} itself only when it is the only one. A drained endpoint is never chosen; null
   * when the pool has no endpoint left to choose (discovery found none, or all are drained). Counts the choice
   * in {@code sluice_affinity_total}. Lock-free and allocation-free: two loops choosing at once may both pick
   * the same endpoint, which makes the spread slightly less even, never wrong.
   */
  public Endpoint pick(Endpoint avoid, long key, long budget) {
    return choose(avoid, key, budget, true);
  }

  /** The endpoint of {@code url} when it may take a request now (not drained, not ejected), else null. */
  public Endpoint available(String url) {
    long now = System.nanoTime();
    for (Endpoint e : endpoints) {
      if (e.url().equals(url)) {
        return !e.health().drained() && e.available(now) ? e : null;
      }
    }
    return null;
  }

  /**
   * An endpoint to ask something of that is not a try (a tokenizer count): chosen by load as a request without
   * an affinity key, and not counted in {@code sluice_affinity_total}. Null as {@link #pick(Endpoint, long, long)}.
   */
  public Endpoint pickToAsk() {
    return choose(null, AffinityKey.NONE, 0, false);
  }

  private Endpoint choose(Endpoint avoid, long key, long budget, boolean counted) {
    int n = endpoints.length;
    long now = System.nanoTime();
    boolean byBudget = routing.load() == RoutingConfig.Load.BUDGET;
    Chooser chooser = Chooser.current().reset(n);
    for (int i = 0; i < n; i++) {
      Endpoint e = endpoints[i];
      if (e != avoid && !e.health().drained() && e.available(now)) {
        chooser.eligible(i, byBudget ? e.load(now, loadStaleMillis, budget)
            : e.inFlight() + e.queued(now, loadStaleMillis));
      }
    }
    boolean keyed = key != AffinityKey.NONE && routing.affinity();
    int chosen = !chooser.any() ? -1
        : keyed ? chooser.affinity(key, seeds, routing.affinityLoadFactor())
        : byBudget && n > FULL_SCAN_MAX ? chooser.powerOfTwo() : chooser.leastLoaded();
    Endpoint e;
    Chooser.Result result;
    if (chosen >= 0) {
      e = endpoints[chosen];
      result = keyed ? chooser.result() : Chooser.Result.NONE;
    } else {
      e = leastBusy(avoid);
      if (e == null) {
        return null;
      }
      result = keyed ? Chooser.Result.SPILL : Chooser.Result.NONE;
    }
    if (!counted) {
      return e;
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
      if (e != avoid && !e.health().drained() && (best == null || e.inFlight() < best.inFlight())) {
        best = e;
      }
    }
    return best != null ? best : avoid != null && !avoid.health().drained() ? avoid : null;
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

  @Override
  public String toString() {
    return name();
  }
}
