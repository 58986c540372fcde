package dev.sluice.dispatcher.savings;

import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.EndpointLoad;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.PoolSet;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * The dispatcher's live savings gauges, recomputed once a second on a timer.
 *
 * <ul>
 *   <li>{@code sluice_alpha}: share of the requests routed over the window that went to the smallest pool,
 *       counted from the per-pool {@code sluice_budget} summaries the request path already records;</li>
 *   <li>{@code sluice_pool_generation_tokens_per_second{pool}} and {@code ..._prompt_tokens_...}, and
 *       {@code sluice_endpoint_generation_tokens_per_second{pool,endpoint}}: deltas of the upstreams' own
 *       {@code vllm:*_tokens_total} counters as the health scraper last read them;</li>
 *   <li>{@code sluice_rho}: generation tokens per saturated instance-second of the smallest pool over that of
 *       the largest (an instance is saturated over a scrape interval when requests were waiting at both
 *       ends); until both pools were saturated long enough, the planned value ({@code -Dsluice.planned-rho}
 *       or {@link #plannedRho(double)}), NaN when none; {@code sluice_rho_measured} says which (1 or 0);</li>
 *   <li>{@code sluice_projected_savings_ratio}: {@code alpha * (1 - 1/rho)}.</li>
 * </ul>
 */
public final class LiveFigures {

  /** Window length in one-second buckets. */
  public static final int WINDOW_SECONDS = 60;
  static final long TICK_MILLIS = 1_000;
  static final String PLANNED_RHO_PROPERTY = "sluice.planned-rho";

  private final Vertx vertx;
  private final MeterRegistry registry;
  private final List<String> pools = new ArrayList<>();
  private final List<List<EndpointHealth>> endpoints = new ArrayList<>();
  private final List<List<TokenRate>> generation = new ArrayList<>();
  private final List<List<TokenRate>> prompt = new ArrayList<>();
  private final SlidingCounts routed;
  private final long[] lastRouted;
  private final double[] poolGeneration;
  private final double[] poolPrompt;
  private final double[] poolRunning;
  private final double[][] endpointGeneration;
  private volatile double alpha = Double.NaN;
  private volatile double rho = Double.NaN;
  private volatile boolean rhoMeasured;
  private volatile double plannedRho;
  private long timer = -1;
  private final List<Meter> meters = new ArrayList<>();

  /** Figures over the pools of {@code set} and their endpoints. */
  public LiveFigures(Vertx vertx, PoolSet set, MeterRegistry registry) {
    this(vertx, set, registry, null);
  }

  /**
   * Figures over the pools of {@code set} and their endpoints, taking over from {@code previous} (null: none)
   * what still applies: the rate windows of endpoints that stayed, the routed counts when the pools are the
   * same, the planned rho. A reload or a discovery change makes new figures this way.
   */
  public LiveFigures(Vertx vertx, PoolSet set, MeterRegistry registry, LiveFigures previous) {
    this.vertx = vertx;
    this.registry = registry;
    this.plannedRho = previous == null ? plannedFromProperty() : previous.plannedRho;
    for (Pool p : set.pools()) {
      pools.add(p.name());
      List<EndpointHealth> eps = p.health().endpoints();
      List<TokenRate> gen = new ArrayList<>();
      List<TokenRate> pr = new ArrayList<>();
      for (EndpointHealth e : eps) {
        gen.add(previous == null ? null : previous.rate(previous.generation, e));
        pr.add(previous == null ? null : previous.rate(previous.prompt, e));
      }
      gen.replaceAll(r -> r == null ? new TokenRate(WINDOW_SECONDS) : r);
      pr.replaceAll(r -> r == null ? new TokenRate(WINDOW_SECONDS) : r);
      endpoints.add(eps);
      generation.add(gen);
      prompt.add(pr);
    }
    int n = pools.size();
    boolean samePools = previous != null && previous.pools.equals(pools);
    this.routed = samePools ? previous.routed : new SlidingCounts(WINDOW_SECONDS, Math.max(1, n));
    this.lastRouted = samePools ? previous.lastRouted : new long[n];
    if (samePools) {
      alpha = previous.alpha;
      rho = previous.rho;
      rhoMeasured = previous.rhoMeasured;
    }
    this.poolGeneration = new double[n];
    this.poolPrompt = new double[n];
    this.poolRunning = new double[n];
    this.endpointGeneration = new double[n][];
    for (int i = 0; i < n; i++) {
      endpointGeneration[i] = new double[endpoints.get(i).size()];
    }
    bind();
  }

  private void bind() {
    meters.add(Gauge.builder("sluice.alpha", this, f -> f.alpha)
        .description("Share of routed requests sent to the smallest pool over the last minute").register(registry));
    meters.add(Gauge.builder("sluice.rho", this, f -> f.rho)
        .description("Short-pool over long-pool generation tokens per saturated instance-second (else planned)")
        .register(registry));
    meters.add(Gauge.builder("sluice.rho.measured", this, f -> f.rhoMeasured ? 1 : 0)
        .description("1 when sluice_rho is measured from saturated pools, 0 when it is the planned value")
        .register(registry));
    meters.add(Gauge.builder("sluice.projected.savings.ratio", this, f -> SavingsMath.projectedSavings(f.alpha, f.rho))
        .description("alpha * (1 - 1/rho): share of a homogeneous fleet's instances the split saves")
        .register(registry));
    for (int i = 0; i < pools.size(); i++) {
      int p = i;
      String pool = pools.get(i);
      meters.add(Gauge.builder("sluice.pool.generation.tokens.per.second", this, f -> f.poolGeneration[p])
          .description("Generation tokens/s of the pool over the last minute, from vllm:generation_tokens_total")
          .tag("pool", pool).register(registry));
      meters.add(Gauge.builder("sluice.pool.prompt.tokens.per.second", this, f -> f.poolPrompt[p])
          .description("Prompt tokens/s of the pool over the last minute, from vllm:prompt_tokens_total")
          .tag("pool", pool).register(registry));
      meters.add(Gauge.builder("sluice.pool.running", this, f -> f.poolRunning[p])
          .description("Requests running on the pool's endpoints at their last scrape")
          .tag("pool", pool).register(registry));
      for (int e = 0; e < endpoints.get(i).size(); e++) {
        int ep = e;
        meters.add(Gauge.builder("sluice.endpoint.generation.tokens.per.second", this, f -> f.endpointGeneration[p][ep])
            .description("Generation tokens/s of one endpoint over the last minute")
            .tag("pool", pool).tag("endpoint", endpoints.get(i).get(e).url()).register(registry));
      }
    }
  }

  /** The window of endpoint {@code e} in {@code rates}, or null when it had none. */
  private TokenRate rate(List<List<TokenRate>> rates, EndpointHealth e) {
    for (int i = 0; i < endpoints.size(); i++) {
      int at = endpoints.get(i).indexOf(e);
      if (at >= 0) {
        return rates.get(i).get(at);
      }
    }
    return null;
  }

  public LiveFigures start() {
    if (timer < 0 && !pools.isEmpty()) {
      timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    }
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Stops and takes its meters off the registry: a reload replaces the figures with ones for the new pools. */
  public void close() {
    stop();
    meters.forEach(registry::remove);
    meters.clear();
  }

  /** The rho set with {@link #plannedRho(double)}, or NaN. */
  public double plannedRho() {
    return plannedRho;
  }

  /** Sets the rho used until a measured one exists (e.g. from {@code ./sluice plan}); NaN clears it. */
  public void plannedRho(double value) {
    this.plannedRho = value;
    if (!rhoMeasured) {
      rho = value;
    }
  }

  public double alpha() {
    return alpha;
  }

  public double rho() {
    return rho;
  }

  public boolean rhoMeasured() {
    return rhoMeasured;
  }

  public double projectedSavings() {
    return SavingsMath.projectedSavings(alpha, rho);
  }

  /** Generation tokens/s of a pool over the window, 0 for an unknown pool. */
  public double poolGenerationTokensPerSecond(String pool) {
    int i = pools.indexOf(pool);
    return i < 0 ? 0 : poolGeneration[i];
  }

  /** One window step: routed counts, token rates, rho. Package-private so tests can drive it. */
  void tick() {
    long[] delta = new long[pools.size()];
    for (int i = 0; i < pools.size(); i++) {
      DistributionSummary s = registry.find("sluice.budget").tag("pool", pools.get(i)).summary();
      long now = s == null ? 0 : s.count();
      delta[i] = now - lastRouted[i];
      lastRouted[i] = now;
    }
    routed.push(delta);
    alpha = routed.fraction(0);
    for (int i = 0; i < pools.size(); i++) {
      double gen = 0;
      double pr = 0;
      double running = 0;
      List<EndpointHealth> eps = endpoints.get(i);
      for (int e = 0; e < eps.size(); e++) {
        EndpointLoad load = eps.get(e).load();
        if (load.known()) {
          boolean waiting = load.waiting() > 0;
          generation.get(i).get(e).observe(load.generationTokens(), load.atNanos(), waiting);
          prompt.get(i).get(e).observe(load.promptTokens(), load.atNanos(), waiting);
          running += Math.max(0, load.running());
        }
        endpointGeneration[i][e] = generation.get(i).get(e).perSecond();
        gen += endpointGeneration[i][e];
        pr += prompt.get(i).get(e).perSecond();
      }
      poolGeneration[i] = gen;
      poolPrompt[i] = pr;
      poolRunning[i] = running;
    }
    double measured = pools.size() < 2 ? Double.NaN : SavingsMath.rho(
        SavingsMath.saturatedRatePerInstance(generation.get(0)),
        SavingsMath.saturatedRatePerInstance(generation.get(pools.size() - 1)));
    rhoMeasured = !Double.isNaN(measured);
    rho = SavingsMath.orPlanned(measured, plannedRho);
  }

  private static double plannedFromProperty() {
    String v = System.getProperty(PLANNED_RHO_PROPERTY);
    if (v == null || v.isBlank()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
