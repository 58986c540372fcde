package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.HealthProber;
import dev.sluice.dispatcher.config.ModelConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The node's pools at one moment, smallest context first, with each model's {@link Ladder} over them: an immutable
 * snapshot. A reload or a discovery change builds a new set and swaps it in whole ({@link Upstreams}); a request
 * keeps the set (and so the pools, its ladder and endpoints) it was routed with until it ends.
 */
public final class PoolSet {
  private final List<Pool> pools;
  /** Every pool: the ladder of the implicit model when no {@code models:} are configured. */
  private final Ladder all;
  /** Each configured model's ladder under its name and each alias; empty without {@code models:}. */
  private final Map<String, Ladder> ladders;
  /** The one configured model, which a request naming none gets; null with none or several. */
  private final Ladder only;
  private final Map<String, HealthProber.Target> probeTargets;

  PoolSet(List<Pool> pools, List<ModelConfig> models, boolean spillOver) {
    this.pools = List.copyOf(pools);
    this.probeTargets = probeTargets(this.pools);
    this.all = new Ladder(List.of(), this.pools, spillOver);
    Map<String, Ladder> byName = new HashMap<>();
    Ladder single = null;
    for (ModelConfig m : models) {
      List<Pool> rungs = new ArrayList<>();
      for (Pool p : this.pools) {   // in context order, whatever order the model lists them in
        if (m.pools().contains(p.name())) {
          rungs.add(p);
        }
      }
      Ladder ladder = new Ladder(m.names(), rungs, spillOver);
      m.names().forEach(name -> byName.put(name, ladder));
      single = models.size() == 1 ? ladder : null;
    }
    this.ladders = Map.copyOf(byName);
    this.only = single;
  }

  public List<Pool> pools() {
    return pools;
  }

  public Pool pool(int index) {
    return pools.get(index);
  }

  /** The pool of this name, or null. */
  public Pool pool(String name) {
    return all.pool(name);
  }

  /** Whether the node serves named models ({@code models:}), rather than any name over every pool. */
  public boolean hasModels() {
    return !ladders.isEmpty();
  }

  /**
   * The ladder of the model a request names: any name (null too) gets every pool when no {@code models:} are
   * configured; else the model of that name or alias, or, for no name, the only model. Null: no such model.
   */
  public Ladder ladder(String model) {
    if (ladders.isEmpty()) {
      return all;
    }
    return model == null ? only : ladders.get(model);
  }

  /** Every pool, as one ladder. */
  public Ladder all() {
    return all;
  }

  /** Each configured model's own ladder once, in no order; empty without {@code models:}. */
  public Collection<Ladder> models() {
    return new LinkedHashSet<>(ladders.values());
  }

  /** The endpoint of this URL in any pool, or null. */
  public Endpoint endpoint(String url) {
    for (Pool p : pools) {
      for (Endpoint e : p.endpoints()) {
        if (e.url().equals(url)) {
          return e;
        }
      }
    }
    return null;
  }

  /**
   * Distinct endpoint URL → how to reach it and the health entry of every pool that lists it, for the prober: a
   * URL is probed once, and each pool's entry hears the result.
   */
  public Map<String, HealthProber.Target> probeTargets() {
    return probeTargets;
  }

  private static Map<String, HealthProber.Target> probeTargets(List<Pool> pools) {
    Map<String, List<EndpointHealth>> entries = new LinkedHashMap<>();
    Map<String, Function<String, RequestOptions>> requests = new LinkedHashMap<>();
    for (Pool p : pools) {
      for (Endpoint e : p.endpoints()) {
        entries.computeIfAbsent(e.url(), u -> new ArrayList<>()).add(e.health());
        // the pool's trust for an https endpoint: the prober's own client has none
        requests.putIfAbsent(e.url(),
            path -> e.request(HttpMethod.GET, path).setSslOptions(e.ssl() ? p.shared().tls() : null));
      }
    }
    Map<String, HealthProber.Target> targets = new LinkedHashMap<>();
    entries.forEach((url, health) -> targets.put(url, new HealthProber.Target(requests.get(url), health)));
    return Collections.unmodifiableMap(targets);
  }
}
