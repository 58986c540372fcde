package dev.sluice.dispatcher.reliability;

import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.admission.RetryBudget;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.EndpointLoad;
import dev.sluice.dispatcher.health.HealthProber;
import dev.sluice.dispatcher.health.HealthRegistry;
import dev.sluice.dispatcher.health.PoolHealth;
import dev.sluice.dispatcher.health.PoolPressure;
import dev.sluice.dispatcher.health.SpillOver;
import dev.sluice.dispatcher.health.UpstreamFault;
import dev.sluice.dispatcher.lifecycle.Drain;
import dev.sluice.dispatcher.security.ApiKeys;
import dev.sluice.dispatcher.security.KeyRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's reliability and security state in one place, shared by every event loop: endpoint health
 * (passive and active), per-pool admission, the retry budget, keys and their limits, and the drain.
 * The relay and the front call it in a few lines each; see docs/reliability.md, "Wiring".
 */
public final class Reliability {

  private final Vertx vertx;
  private final ReliabilityConfig config;
  /** Everything that depends on the pool list; swapped whole by {@link #reconfigure}. */
  private volatile PoolSide side;
  private volatile boolean started;
  private final RetryBudget retries;
  private final ApiKeys keys;
  private final KeyRateLimiter limiter;
  private final Drain drain;
  private final Map<String, String> upstreamAuthorizations = new LinkedHashMap<>();

  /** @param poolUrls pool name → endpoint base URLs, pools in ascending context order */
  public Reliability(Vertx vertx, Map<String, List<String>> poolUrls, ReliabilityConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.side = PoolSide.of(vertx, poolUrls, config, Map.of(), this::availableEndpoints);
    this.retries = new RetryBudget(config.retryRatio(), config.retryMin());
    this.keys = new ApiKeys(config.keys());
    this.limiter = new KeyRateLimiter(config.keys(), System.nanoTime());
    this.drain = new Drain(vertx, config.drainGrace());
    drain.onDrain(() -> side.prober.stop());
    config.upstreamKeys().forEach((pool, key) -> upstreamAuthorizations.put(pool, "Bearer " + key));
  }

  /** Starts probing and scraping. */
  public Reliability start() {
    started = true;
    side.prober.start();
    return this;
  }

  public Future<Void> stop() {
    started = false;
    return side.prober.stop();
  }

  /**
   * Takes a new pool list (a reload): fresh health state and probing for the new endpoints, admission for
   * new pools. A pool that stays keeps its admission (its in-flight count and waiters); permits held by
   * requests in flight are released on the admission they came from.
   */
  public void reconfigure(Map<String, List<String>> poolUrls) {
    PoolSide old = side;
    PoolSide next = PoolSide.of(vertx, poolUrls, config, old.admissions, this::availableEndpoints);
    side = next;
    old.prober.stop();
    if (started) {
      next.prober.start();
    }
  }

  /** Health, probing and admission of one pool list. */
  private record PoolSide(HealthRegistry health, HealthProber prober, Map<String, PoolAdmission> admissions,
      String[] poolOrder) {
    static PoolSide of(Vertx vertx, Map<String, List<String>> poolUrls, ReliabilityConfig config,
        Map<String, PoolAdmission> previous, java.util.function.ToIntFunction<String> available) {
      HealthRegistry health = new HealthRegistry(poolUrls, config.health());
      String[] order = poolUrls.keySet().toArray(new String[0]);
      // removed pools keep their admission here, so a request still routed by the old list finds one
      Map<String, PoolAdmission> admissions = new LinkedHashMap<>(previous);
      for (String pool : order) {
        admissions.putIfAbsent(pool, new PoolAdmission(vertx, pool, config.admission(),
            () -> available.applyAsInt(pool)));
      }
      return new PoolSide(health, new HealthProber(vertx, health), Map.copyOf(admissions), order);
    }

  }

  /** Endpoints of a pool that may take requests now, in the current pool list (capacity follows a reload). */
  private int availableEndpoints(String pool) {
    PoolHealth ph = side.health.pool(pool);
    return ph == null ? 0 : ph.availableCount(System.nanoTime());
  }

  public ReliabilityConfig config() {
    return config;
  }

  public HealthRegistry health() {
    return side.health;
  }

  public PoolAdmission admission(String pool) {
    return side.admissions.get(pool);
  }

  public RetryBudget retries() {
    return retries;
  }

  public ApiKeys keys() {
    return keys;
  }

  public KeyRateLimiter limiter() {
    return limiter;
  }

  public Drain drain() {
    return drain;
  }

  /**
   * The {@code Authorization} value for requests to a pool's endpoints ({@code Bearer <key>}), or
   * null when none is configured. The client's own {@code Authorization} is never forwarded.
   */
  public String upstreamAuthorization(String pool) {
    return upstreamAuthorizations.get(pool);
  }

  // ---- the admin view ----------------------------------------------------------------------------

  /** An endpoint's health for {@code /admin/pools}: availability, ejection, probe, last scraped load. */
  public JsonObject endpointState(String url) {
    EndpointHealth e = side.health.endpoint(url);
    if (e == null) {
      return new JsonObject();
    }
    long now = System.nanoTime();
    EndpointLoad load = e.load();
    JsonObject state = new JsonObject()
        .put("available", e.available(now))
        .put("probeHealthy", e.probeHealthy())
        .put("ejectedForMs", e.ejectionRemainingNanos(now) / 1_000_000L)
        .put("consecutiveFailures", e.consecutiveFailures())
        .put("ejections", e.ejectionsTotal());
    if (load.known()) {
      state.put("load", new JsonObject()
          .put("running", load.running())
          .put("waiting", load.waiting())
          .put("kvCacheUsage", load.kvCacheUsage())
          .put("ageMs", (now - load.atNanos()) / 1_000_000L));
    }
    return state;
  }

  /** A pool's admission for {@code /admin/pools}. */
  public JsonObject admissionState(String pool) {
    PoolAdmission a = side.admissions.get(pool);
    return a == null ? new JsonObject() : new JsonObject()
        .put("inFlight", a.inFlight())
        .put("waiting", a.waiting())
        .put("capacity", a.capacity());
  }

  // ---- the relay's few calls --------------------------------------------------------------------

  /** Whether an endpoint may take a request now (unknown URLs are treated as available). */
  public boolean available(String url) {
    EndpointHealth e = side.health.endpoint(url);
    return e == null || e.available(System.nanoTime());
  }

  /**
   * Requests the endpoint itself reports waiting ({@code vllm:num_requests_waiting} from a fresh
   * scrape), 0 when unknown or stale. Added to our own in-flight count when choosing an endpoint, so
   * work sent by other dispatcher nodes is seen too.
   */
  public double queued(String url) {
    EndpointHealth e = side.health.endpoint(url);
    if (e == null) {
      return 0;
    }
    EndpointLoad load = e.load();
    return load.fresh(System.nanoTime(), config.health().loadStaleMillis()) ? load.waitingOrZero() : 0;
  }

  /** The endpoint answered (any status that is not a fault, including 4xx and 429). */
  public void upstreamOk(String url) {
    long now = System.nanoTime();
    for (EndpointHealth e : side.health.entries(url)) {
      e.recordSuccess(now);
    }
  }

  /** The endpoint failed in a way that counts against it; returns true when it was ejected now. */
  public boolean upstreamFault(String url, UpstreamFault fault) {
    long now = System.nanoTime();
    boolean ejected = false;
    for (EndpointHealth e : side.health.entries(url)) {
      ejected |= e.recordFailure(fault, now);
    }
    return ejected;
  }

  /**
   * The pool index to use for a request whose smallest fitting pool is {@code fitting}: the same, or
   * the next larger one when spill-over is on and the fitting pool is saturated.
   */
  public int spill(int fitting) {
    PoolSide side = this.side;
    String[] poolOrder = side.poolOrder;
    HealthRegistry health = side.health;
    Map<String, PoolAdmission> admissions = side.admissions;
    if (!config.spillOver() || fitting + 1 >= poolOrder.length) {
      return fitting;
    }
    long now = System.nanoTime();
    PoolPressure[] pressures = new PoolPressure[poolOrder.length];
    for (int i = fitting; i <= fitting + 1; i++) {
      PoolAdmission a = admissions.get(poolOrder[i]);
      pressures[i] = PoolPressure.of(health.pool(poolOrder[i]), a.inFlight(), a.capacity(), now);
    }
    for (int i = 0; i < pressures.length; i++) {
      if (pressures[i] == null) {
        pressures[i] = new PoolPressure(0, 0, 0, 0, -1, true);
      }
    }
    return SpillOver.target(fitting, pressures, true);
  }
}
