package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.route.PoolRouter;
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
 * All pools of a node, smallest context first, with the router over them. Shared by every event loop.
 *
 * <p>A reload swaps the whole set at once ({@link #reconfigure}): requests routed afterwards see the new
 * pools, while a request already in flight keeps the {@link UpstreamPool} (and HTTP client) it started
 * on. A replaced pool's client is closed only once its last request has finished.
 */
public final class Upstreams {
  /** How often a replaced pool is checked for requests still in flight. */
  static final long DRAIN_CHECK_MS = 100;

  private record State(List<UpstreamPool> pools, PoolRouter router) {
  }

  private final Vertx vertx;
  private final Timeouts timeouts;
  private final DispatcherMetrics metrics;
  private volatile State state;
  private final Set<UpstreamPool> draining = ConcurrentHashMap.newKeySet();

  public Upstreams(Vertx vertx, DispatcherConfig config, DispatcherMetrics metrics) {
    this.vertx = vertx;
    this.timeouts = config.timeouts();
    this.metrics = metrics;
    this.state = build(config.pools(), Map.of());
  }

  private State build(List<PoolConfig> configs, Map<String, UpstreamPool> current) {
    List<UpstreamPool> list = new ArrayList<>();
    int[] contexts = new int[configs.size()];
    for (int i = 0; i < contexts.length; i++) {
      PoolConfig pc = configs.get(i);
      UpstreamPool same = current.get(pc.name());
      if (same != null && same.index() == i && same.config().equals(pc)) {
        list.add(same);
      } else {
        String name = pc.name();
        list.add(new UpstreamPool(vertx, i, pc, timeouts, metrics, () -> inFlightOf(name)));
      }
      contexts[i] = pc.context();
    }
    return new State(List.copyOf(list), new PoolRouter(contexts));
  }

  /**
   * Takes a new pool list (validated, ordered by context) for requests routed from now on. Pools whose
   * configuration is unchanged are kept as they are; the others get new clients, and the replaced ones
   * are closed once no request is in flight on them and at least {@code settleMillis} have passed (a request
   * admitted just before the swap may still be waiting for its slot).
   *
   * @return the names of the pools that were replaced, added or removed
   */
  public List<String> reconfigure(List<PoolConfig> pools, long settleMillis) {
    State old = state;
    Map<String, UpstreamPool> byName = new LinkedHashMap<>();
    old.pools().forEach(p -> byName.put(p.name(), p));
    State next = build(pools, byName);
    state = next;
    Set<UpstreamPool> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    kept.addAll(next.pools());
    List<String> changed = new ArrayList<>();
    for (UpstreamPool p : old.pools()) {
      if (!kept.contains(p)) {
        changed.add(p.name());
        closeWhenDrained(p, settleMillis);
      }
    }
    for (UpstreamPool p : next.pools()) {
      if (!byName.containsKey(p.name())) {
        changed.add(p.name());
      }
    }
    return changed;
  }

  private void closeWhenDrained(UpstreamPool pool, long settleMillis) {
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

  private int inFlightOf(String name) {
    for (UpstreamPool p : state.pools()) {
      if (p.name().equals(name)) {
        return p.inFlight();
      }
    }
    return 0;
  }

  public List<UpstreamPool> pools() {
    return state.pools();
  }

  /** The pool at {@code index}; past the end (a reload shrank the list meanwhile), the largest one. */
  public UpstreamPool pool(int index) {
    List<UpstreamPool> pools = state.pools();
    return pools.get(Math.min(index, pools.size() - 1));
  }

  public PoolRouter router() {
    return state.router();
  }

  /** The pool for a token budget. */
  public UpstreamPool forBudget(long budget) {
    State s = state;
    return s.pools().get(s.router().poolFor(budget));
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (UpstreamPool p : state.pools()) {
      closing.add(p.close());
    }
    for (UpstreamPool p : draining) {
      closing.add(p.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
