package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.ModelConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.HealthProber;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The node's current {@link PoolSet}, and its life: building it, swapping it whole when a reload or DNS
 * discovery changes the pools, probing its endpoints, draining endpoints on an operator's word, and closing the
 * clients of replaced pools once their last request ended. Shared by every event loop; reading the current set
 * is one volatile read. Swaps are serialized here, off the request path.
 *
 * <p>What survives a swap: a pool whose configuration did not change keeps its {@link PoolClient} (HTTP
 * client, key, trust), and each of its endpoints whose address stayed keeps its {@link Endpoint} (health,
 * in-flight count); a pool's admission and meters are kept by name, whatever changed. A pool whose configuration
 * changed gets a new client and fresh endpoints; the old client closes once drained.
 */
public final class Upstreams {
  /** How often a replaced client is checked for requests still in flight. */
  static final long DRAIN_CHECK_MS = 100;

  /**
   * What every pool is built with, besides its own configuration.
   *
   * @param eventLoops the event loops requests arrive on (one per front instance): each keeps its own upstream
   *                   connections, and the connection limits are spread over them
   * @param discovery  how {@code dns+} endpoints are looked up
   * @param routing    how a pool chooses the endpoint for a try
   */
  public record Settings(Timeouts timeouts, OutlierPolicy outliers, AdmissionPolicy admission, boolean spillOver,
      Map<String, String> upstreamKeys, int eventLoops, DiscoveryConfig discovery, RoutingConfig routing) {

    /** Without DNS discovery settings and with the default routing. */
    public Settings(Timeouts timeouts, OutlierPolicy outliers, AdmissionPolicy admission, boolean spillOver,
        Map<String, String> upstreamKeys, int eventLoops) {
      this(timeouts, outliers, admission, spillOver, upstreamKeys, eventLoops, DiscoveryConfig.DEFAULTS,
          RoutingConfig.DEFAULTS);
    }

    /** Without DNS discovery settings. */
    public Settings(Timeouts timeouts, OutlierPolicy outliers, AdmissionPolicy admission, boolean spillOver,
        Map<String, String> upstreamKeys, int eventLoops, RoutingConfig routing) {
      this(timeouts, outliers, admission, spillOver, upstreamKeys, eventLoops, DiscoveryConfig.DEFAULTS, routing);
    }
  }

  /** One endpoint a pool should have now: its configured URL and, when found through DNS, its address. */
  private record Wanted(URI origin, InetAddress address, String url) {
  }

  private final Vertx vertx;
  private final Settings settings;
  private final DispatcherMetrics metrics;
  private final Map<String, PoolAdmission> admissions = new ConcurrentHashMap<>();
  private final Set<PoolClient> retiring = ConcurrentHashMap.newKeySet();
  /** The last addresses found for each {@code dns+} endpoint URL. */
  private final Map<URI, List<InetAddress>> resolved = new HashMap<>();
  /** URLs of drained endpoints: an endpoint built for one of them starts drained. */
  private final Set<String> drained = ConcurrentHashMap.newKeySet();
  private final List<Consumer<PoolSet>> swapListeners = new ArrayList<>();
  private final HealthProber prober;
  private final Discovery discovery;
  private List<PoolConfig> configs;
  private List<ModelConfig> models;
  private volatile PoolSet current;

  public Upstreams(Vertx vertx, List<PoolConfig> pools, Settings settings, DispatcherMetrics metrics) {
    this(vertx, pools, List.of(), settings, metrics);
  }

  /** @param models the models served and their ladders; empty: any model name over every pool */
  public Upstreams(Vertx vertx, List<PoolConfig> pools, List<ModelConfig> models, Settings settings,
      DispatcherMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
    this.configs = List.copyOf(pools);
    this.models = List.copyOf(models);
    this.current = build(configs, null);
    this.prober = new HealthProber(vertx, settings.outliers(), () -> current.probeTargets());
    this.discovery = new Discovery(vertx, settings.discovery(), this::dnsOrigins, this::resolved);
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

  /**
   * Starts discovery and the probes. Completes once every {@code dns+} name was looked up once (each within the
   * lookup timeout), so a node starts with the endpoints DNS knows.
   */
  public Future<Void> start() {
    prober.start();
    return discovery.start();
  }

  /** Also told of every swap, after it (the live figures follow the endpoints). */
  public synchronized void onSwap(Consumer<PoolSet> listener) {
    swapListeners.add(listener);
  }

  /**
   * Takes a new pool list (validated, ordered by context) for requests routed from now on: one swap. Pools
   * whose configuration is unchanged are kept; the others get a new client and fresh endpoints (probed from now
   * on), and the replaced clients close once no request is in flight on them and at least {@code settleMillis}
   * have passed (a request admitted just before the swap may still be waiting for its slot). New DNS names are
   * looked up at once; until then their pool has the endpoints found so far.
   *
   * @return the names of the pools that were replaced, added or removed
   */
  public List<String> reconfigure(List<PoolConfig> pools, long settleMillis) {
    return reconfigure(pools, models, settleMillis);
  }

  /** The same, with the models' ladders from {@code nextModels} (validated against {@code pools}). */
  public List<String> reconfigure(List<PoolConfig> pools, List<ModelConfig> nextModels, long settleMillis) {
    List<String> changed = new ArrayList<>();
    synchronized (this) {
      PoolSet old = current;
      configs = List.copyOf(pools);
      models = List.copyOf(nextModels);
      PoolSet next = build(configs, old);
      Set<String> before = new LinkedHashSet<>();
      old.pools().forEach(p -> before.add(p.name()));
      Set<PoolClient> kept = clients(next);
      for (Pool p : old.pools()) {
        if (!kept.contains(p.shared())) {
          changed.add(p.name());
        }
      }
      for (Pool p : next.pools()) {
        if (!before.contains(p.name())) {
          changed.add(p.name());
        }
      }
      swap(old, next, settleMillis);
    }
    discovery.refresh();
    return changed;
  }

  /** A discovery round's results: the pools whose endpoints changed are swapped in, the failures counted. */
  private synchronized void resolved(Map<URI, List<InetAddress>> found, Set<URI> failed) {
    resolved.putAll(found);
    for (URI origin : failed) {
      for (PoolConfig pc : configs) {
        if (pc.endpoints().contains(origin)) {
          discoveryFailures(pc.name()).increment();
        }
      }
    }
    PoolSet old = current;
    PoolSet next = build(configs, old);
    if (!sameEndpoints(old, next)) {
      swap(old, next, 0);
    }
  }

  /** The failed lookups of a pool's {@code dns+} endpoints (registered at 0 for every pool that has some). */
  private Counter discoveryFailures(String pool) {
    return Counter.builder("sluice.discovery.failures")
        .description("DNS lookups of a pool's dns+ endpoints that failed (no answer, an error, no records)")
        .tag("pool", pool).register(metrics.registry());
  }

  /** The {@code dns+} endpoint URLs of the pools now. */
  private synchronized Set<URI> dnsOrigins() {
    Set<URI> out = new LinkedHashSet<>();
    for (PoolConfig pc : configs) {
      for (URI u : pc.endpoints()) {
        if (Discovery.isDns(u)) {
          out.add(u);
        }
      }
    }
    return out;
  }

  /**
   * The set for {@code configs}: each pool keeps its client when its configuration is unchanged, and each of its
   * endpoints whose URL stayed. The pool object itself is kept when nothing about it changed.
   */
  private PoolSet build(List<PoolConfig> pools, PoolSet previous) {
    List<Pool> built = new ArrayList<>(pools.size());
    for (int i = 0; i < pools.size(); i++) {
      PoolConfig pc = pools.get(i);
      if (pc.endpoints().stream().anyMatch(Discovery::isDns)) {
        discoveryFailures(pc.name());
      }
      Pool before = previous == null ? null : previous.pool(pc.name());
      boolean sameClient = before != null && before.config().equals(pc);
      PoolClient client = sameClient ? before.shared() : newClient(pc);
      Map<String, Endpoint> had = new HashMap<>();
      if (sameClient) {
        before.endpoints().forEach(e -> had.put(e.url(), e));
      }
      List<Endpoint> endpoints = new ArrayList<>();
      for (Wanted w : wanted(pc)) {
        Endpoint e = had.get(w.url());
        endpoints.add(e != null ? e : newEndpoint(w));
      }
      if (sameClient && before.index() == i && before.endpoints().equals(endpoints)) {
        built.add(before);
      } else if (sameClient) {
        built.add(before.withEndpoints(i, endpoints));
      } else {
        String name = pc.name();
        PoolAdmission admission = admissions.computeIfAbsent(name,
            n -> new PoolAdmission(vertx, n, settings.admission(), () -> availableIn(n)));
        built.add(new Pool(i, client, endpoints, settings.outliers(), admission,
            metrics.pool(name, () -> inFlightOf(name)), settings.routing()));
      }
    }
    return new PoolSet(built, models, settings.spillOver());
  }

  private PoolClient newClient(PoolConfig pc) {
    return new PoolClient(vertx, pc, settings.timeouts(), settings.upstreamKeys().get(pc.name()),
        settings.eventLoops());
  }

  private Endpoint newEndpoint(Wanted w) {
    EndpointHealth health = new EndpointHealth(w.url(), settings.outliers());
    health.drain(drained.contains(w.url()));
    return new Endpoint(w.origin(), w.address(), health);
  }

  /** The endpoints a pool should have now: its plain URLs, and the last addresses of each DNS name. */
  private List<Wanted> wanted(PoolConfig pc) {
    Map<String, Wanted> out = new LinkedHashMap<>();
    for (URI u : pc.endpoints()) {
      if (!Discovery.isDns(u)) {
        out.putIfAbsent(u.toString(), new Wanted(u, null, u.toString()));
        continue;
      }
      for (InetAddress a : resolved.getOrDefault(u, List.of())) {
        String url = Endpoint.url(u, a);
        out.putIfAbsent(url, new Wanted(u, a, url));
      }
    }
    return List.copyOf(out.values());
  }

  private static boolean sameEndpoints(PoolSet a, PoolSet b) {
    for (int i = 0; i < a.pools().size(); i++) {
      if (a.pools().get(i) != b.pools().get(i)) {
        return false;
      }
    }
    return a.pools().size() == b.pools().size();
  }

  /** Puts {@code next} in place of {@code old}; clients no pool uses any more close once drained. */
  private void swap(PoolSet old, PoolSet next, long settleMillis) {
    current = next;
    EndpointGauges.rebind(metrics.registry(), next);
    Set<PoolClient> kept = clients(next);
    Set<Endpoint> live = Collections.newSetFromMap(new IdentityHashMap<>());
    next.pools().forEach(p -> live.addAll(p.endpoints()));
    for (PoolClient c : kept) {
      c.prune(live);
    }
    for (Pool p : old.pools()) {
      if (!kept.contains(p.shared()) && retiring.add(p.shared())) {
        closeWhenDrained(p.shared(), settleMillis);
      }
    }
    // capacity may have grown (new endpoints): waiters need not wait for the next release
    admissions.values().forEach(PoolAdmission::wake);
    swapListeners.forEach(l -> l.accept(next));
  }

  private static Set<PoolClient> clients(PoolSet set) {
    Set<PoolClient> out = Collections.newSetFromMap(new IdentityHashMap<>());
    set.pools().forEach(p -> out.add(p.shared()));
    return out;
  }

  private void closeWhenDrained(PoolClient client, long settleMillis) {
    long earliest = System.nanoTime() + settleMillis * 1_000_000L;
    vertx.setPeriodic(DRAIN_CHECK_MS, id -> {
      if (System.nanoTime() - earliest >= 0 && client.inFlight() == 0) {
        vertx.cancelTimer(id);
        retiring.remove(client);
        client.close();
      }
    });
  }

  /** Replaced pools whose clients are still open because requests were (or may still be) in flight on them. */
  public int draining() {
    return retiring.size();
  }

  /**
   * Drains ({@code on}) or undrains every endpoint at {@code address}: its {@code host:port}, as
   * {@link Endpoint#address()} writes it, or its URL. A drained endpoint takes no new request and finishes those
   * it has; it stays drained across reloads and rediscovery until undrained.
   *
   * @return the endpoints it names now (empty: no endpoint has that address, and nothing changed)
   */
  public synchronized List<Endpoint> drain(String address, boolean on) {
    List<Endpoint> named = new ArrayList<>();
    for (Pool p : current.pools()) {
      for (Endpoint e : p.endpoints()) {
        if (e.address().equals(address) || e.url().equals(address)) {
          named.add(e);
        }
      }
    }
    for (Endpoint e : named) {
      e.health().drain(on);
      if (on) {
        drained.add(e.url());
      } else {
        drained.remove(e.url());
      }
    }
    if (!on && !named.isEmpty()) {
      // capacity grew back
      admissions.values().forEach(PoolAdmission::wake);
    }
    return named;
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

  /** Stops discovery and probing and closes every client, current and retiring. */
  public Future<Void> close() {
    discovery.stop();
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(prober.stop());
    for (PoolClient c : clients(current)) {
      closing.add(c.close());
    }
    for (PoolClient c : retiring) {
      closing.add(c.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
