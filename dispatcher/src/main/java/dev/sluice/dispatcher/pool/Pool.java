package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.health.PoolHealth;
import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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
  private final AtomicInteger cursor = new AtomicInteger();

  Pool(int index, PoolClient shared, List<Endpoint> endpoints, OutlierPolicy outliers, PoolAdmission admission,
      DispatcherMetrics.PoolMeters meters) {
    this.index = index;
    this.shared = shared;
    this.endpoints = endpoints.toArray(Endpoint[]::new);
    this.health = new PoolHealth(shared.config().name(), outliers,
        endpoints.stream().map(Endpoint::health).toList());
    this.loadStaleMillis = outliers.loadStaleMillis();
    this.admission = admission;
    this.meters = meters;
    for (Endpoint e : endpoints) {
      shared.serves(e);
    }
  }

  /** The same pool (client, admission, meters) over other endpoints, at position {@code position}. */
  Pool withEndpoints(int position, List<Endpoint> next) {
    return new Pool(position, shared, next, health.policy(), admission, meters);
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
   * The endpoint for a try: the available one other than {@code avoid} with the fewest requests in flight plus
   * the queue its last scrape reported; when none is available, the least busy one other than {@code avoid}
   * (admission saw an available endpoint a moment ago); {@code avoid} itself only when it is the only one. The
   * scan starts at a rotating offset so equal loads take turns. A drained endpoint is never chosen; null when
   * the pool has no endpoint left to choose (discovery found none, or all are drained). Lock-free: two loops
   * choosing at once may both pick the same endpoint, which makes the spread slightly less even, never wrong.
   */
  public Endpoint pick(Endpoint avoid) {
    int n = endpoints.length;
    if (n == 1) {
      return endpoints[0].health().drained() ? null : endpoints[0];
    }
    long now = System.nanoTime();
    int start = Math.floorMod(cursor.getAndIncrement(), n);
    Endpoint best = null;
    double bestLoad = Double.POSITIVE_INFINITY;
    Endpoint leastBusy = null;
    for (int k = 0; k < n; k++) {
      Endpoint e = endpoints[(start + k) % n];
      if (e == avoid || e.health().drained()) {
        continue;
      }
      if (leastBusy == null || e.inFlight() < leastBusy.inFlight()) {
        leastBusy = e;
      }
      if (e.available(now)) {
        double load = e.inFlight() + e.queued(now, loadStaleMillis);
        if (load < bestLoad) {
          best = e;
          bestLoad = load;
        }
      }
    }
    return best != null ? best : leastBusy != null ? leastBusy : avoid != null && !avoid.health().drained() ? avoid : null;
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
