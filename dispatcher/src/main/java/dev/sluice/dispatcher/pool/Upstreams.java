package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.health.HealthProber;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's current {@link PoolSet}, and its life: building it, swapping it on a reload, probing its endpoints,
 * closing the clients of replaced pools once their last request ended. Shared by every event loop; reading the
 * current set is one volatile read.
 *
 * <p>What survives a swap: a pool whose configuration did not change is kept as it is (its client, endpoints
 * and their health); a pool's admission is kept by name, with its in-flight count and waiters, and counts the
 * available endpoints of whatever pool of that name is current.
 */
public final class Upstreams {
  /** How often a replaced pool is checked for requests still in flight. */
  static final long DRAIN_CHECK_MS = 100;

  /**
   * What every pool is built with, besides its own configuration.
   *
   * @param eventLoops the event loops requests arrive on (one per front instance): each keeps its own upstream
   *                   connections, and the connection limits are spread over them
   * @param routing    how a pool chooses the endpoint for a try
   */
  public record Settings(Timeouts timeouts, OutlierPolicy outliers, AdmissionPolicy admission, boolean spillOver,
      Map<String, String> upstreamKeys, int eventLoops, RoutingConfig routing) {

    /** With the default routing. */
    public Settings(Timeouts timeouts, OutlierPolicy outliers, AdmissionPolicy admission, boolean spillOver,
        Map<String, String> upstreamKeys, int eventLoops) {
      this(timeouts, outliers, admission, spillOver, upstreamKeys, eventLoops, RoutingConfig.DEFAULTS);
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  private final DispatcherMetrics metrics;
  private final Map<String, PoolAdmission> admissions = new ConcurrentHashMap<>();
  private final Set<Pool> draining = ConcurrentHashMap.newKeySet();
  private volatile PoolSet current;
  private volatile HealthProber prober;
  private volatile boolean probing;

  public Upstreams(Vertx vertx, List<PoolConfig> pools, Settings settings, DispatcherMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
    this.current = build(pools, Map.of());
    this.prober = new HealthProber(vertx, settings.outliers(), current.healthByUrl());
    EndpointGauges.bind(metrics.registry(), current);
  }

  /** How the pools choose endpoints. */
  public RoutingConfig routing() {
    return settings.routing();
  }

  /** The pools requests are routed over now. */
  public PoolSet current() {
    return current;
  }

  /** Starts probing and scraping the endpoints. */
  public Upstreams start() {
    probing = true;
    prober.start();
    return this;
  }

  private PoolSet build(List<PoolConfig> configs, Map<String, Pool> kept) {
    List<Pool> pools = new ArrayList<>(configs.size());
    for (int i = 0; i < configs.size(); i++) {
      PoolConfig pc = configs.get(i);
      Pool same = kept.get(pc.name());
      if (same != null && same.index() == i && same.config().equals(pc)) {
        pools.add(same);
        continue;
      }
      String name = pc.name();
      PoolAdmission admission = admissions.computeIfAbsent(name,
          n -> new PoolAdmission(vertx, n, settings.admission(), () -> availableIn(n)));
      String key = settings.upstreamKeys().get(name);
      pools.add(new Pool(vertx, i, pc, settings.timeouts(), settings.outliers(), admission,
          metrics.pool(name, () -> inFlightOf(name)), key == null ? null : "Bearer " + key, settings.eventLoops(),
          settings.routing()));
    }
    return new PoolSet(pools, settings.spillOver());
  }

  /**
   * Takes a new pool list (validated, ordered by context) for requests routed from now on: one swap. Pools
   * whose configuration is unchanged are kept; the others are new (fresh health, probed from now on), and the
   * replaced ones are closed once no request is in flight on them and at least {@code settleMillis} have passed
   * (a request admitted just before the swap may still be waiting for its slot).
   *
   * @return the names of the pools that were replaced, added or removed
   */
  public synchronized List<String> reconfigure(List<PoolConfig> pools, long settleMillis) {
    PoolSet old = current;
    Map<String, Pool> byName = new LinkedHashMap<>();
    old.pools().forEach(p -> byName.put(p.name(), p));
    PoolSet next = build(pools, byName);
    current = next;
    HealthProber oldProber = prober;
    prober = new HealthProber(vertx, settings.outliers(), next.healthByUrl());
    oldProber.stop();
    if (probing) {
      prober.start();
    }
    EndpointGauges.rebind(metrics.registry(), next);
    Set<Pool> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    kept.addAll(next.pools());
    List<String> changed = new ArrayList<>();
    for (Pool p : old.pools()) {
      if (!kept.contains(p)) {
        changed.add(p.name());
        closeWhenDrained(p, settleMillis);
      }
    }
    for (Pool p : next.pools()) {
      if (!byName.containsKey(p.name())) {
        changed.add(p.name());
      }
    }
    // capacity may have grown (new endpoints): waiters need not wait for the next release
    admissions.values().forEach(PoolAdmission::wake);
    return changed;
  }

  private void closeWhenDrained(Pool pool, long settleMillis) {
    draining.add(pool);
    long earliest = System.nanoTime() + settleMillis * 1_000_000L;
    vertx.setPeriodic(DRAIN_CHECK_MS, id -> {
      if (System.nanoTime() - earliest >= 0 && pool.inFlight() == 0) {
        vertx.cancelTimer(id);
        draining.remove(pool);
        pool.close();
      }
    });
  }

  /** Replaced pools whose clients are still open because requests were (or may still be) in flight on them. */
  public int draining() {
    return draining.size();
  }

  /** In-flight requests of the current pool of this name (the metric follows reloads). */
  private int inFlightOf(String name) {
    Pool p = current.pool(name);
    return p == null ? 0 : p.inFlight();
  }

  /** Available endpoints of the current pool of this name: admission's capacity follows reloads. */
  private int availableIn(String name) {
    Pool p = current.pool(name);
    return p == null ? 0 : p.availableCount(System.nanoTime());
  }

  /** This node's in-flight requests per pool: what it publishes for the cluster-wide view. */
  public Map<String, Integer> inflightByPool() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Pool p : current.pools()) {
      out.put(p.name(), p.inFlight());
    }
    return out;
  }

  /** Stops probing and closes every client, current and draining. */
  public Future<Void> close() {
    probing = false;
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(prober.stop());
    for (Pool p : current.pools()) {
      closing.add(p.close());
    }
    for (Pool p : draining) {
      closing.add(p.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
