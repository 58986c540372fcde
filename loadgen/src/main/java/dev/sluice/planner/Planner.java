package dev.sluice.planner;

import java.util.SplittableRandom;

/**
 * Sizes a homogeneous fleet and a routed fleet for one trace and compares them with the cost model.
 *
 * <ol>
 *   <li>Every request gets prompt bytes (from real text's bytes/token) and a pool from the routing policy.</li>
 *   <li>The homogeneous fleet (long-configured instances) is sized on the whole trace; the short and long
 *       pools are sized independently on their disjoint parts (a request too long for the short pool that
 *       the router sent there is rejected before any work and served by the long pool).</li>
 *   <li>rho is measured as a capacity planner sees it: long-configured instances needed for the short pool's
 *       traffic over short instances needed for it, both at the SLO.</li>
 * </ol>
 */
public final class Planner {

  /** What to plan for. */
  public record Config(int shortContext, int longContext, double sloTtftP99Seconds, double pricePerInstanceHour,
      long seed) {

    public Config {
      if (shortContext < 1 || longContext < shortContext) {
        throw new IllegalArgumentException("need 1 <= short context <= long context");
      }
      if (!(sloTtftP99Seconds > 0)) {
        throw new IllegalArgumentException("SLO must be positive");
      }
    }
  }

  private Planner() {
  }

  /**
   * @param bytes  prompt bytes per token model; null routes with the oracle on true token counts
   */
  public static PlanReport plan(Trace trace, Config config, PoolShapes shapes, PromptBytes bytes) {
    long started = System.nanoTime();
    RoutingPolicy policy = bytes == null
        ? RoutingPolicy.oracle(config.shortContext())
        : RoutingPolicy.conservativeRatio(config.shortContext(), bytes.conservativeRatio());
    SplittableRandom random = new SplittableRandom(config.seed());
    int n = trace.size();
    boolean[] toShort = new boolean[n];
    int trulyShort = 0;
    int misrouted = 0;
    int overflowed = 0;
    int tooLong = 0;
    for (int i = 0; i < n; i++) {
      int prompt = trace.prompt(i);
      int output = trace.output(i);
      boolean fits = prompt + output <= config.shortContext();
      long promptBytes = bytes == null ? prompt * 4L : bytes.bytesFor(prompt, random);
      boolean routedShort = policy.route(prompt, promptBytes, output) == RoutingPolicy.SHORT;
      trulyShort += fits ? 1 : 0;
      misrouted += fits && !routedShort ? 1 : 0;
      overflowed += !fits && routedShort ? 1 : 0;
      tooLong += prompt + output > config.longContext() ? 1 : 0;
      toShort[i] = fits && routedShort;
    }
    if (tooLong > 0) {
      throw new IllegalArgumentException(tooLong + " requests exceed the long context " + config.longContext()
          + " (pass a larger --long-context)");
    }
    Trace shortPart = trace.select(toShort);
    boolean[] toLong = new boolean[n];
    for (int i = 0; i < n; i++) {
      toLong[i] = !toShort[i];
    }
    Trace longPart = trace.select(toLong);

    EngineSpec shortEngine = shapes.shortPool(config.shortContext());
    EngineSpec longEngine = shapes.longPool(config.longContext());
    double slo = config.sloTtftP99Seconds();

    InstanceSearch.Outcome homogeneous = InstanceSearch.smallest(trace, longEngine, slo);
    InstanceSearch.Outcome shortPool = InstanceSearch.smallest(shortPart, shortEngine, slo);
    InstanceSearch.Outcome longPool = InstanceSearch.smallest(longPart, longEngine, slo);
    InstanceSearch.Outcome longOnShort = InstanceSearch.smallest(shortPart, longEngine, slo);

    double alpha = n == 0 ? 0 : (double) trulyShort / n;
    double misrouteRate = trulyShort == 0 ? 0 : (double) misrouted / trulyShort;
    double rho = shortPool.instances() == 0 ? 1 : (double) longOnShort.instances() / shortPool.instances();
    double rhoSaturation = shortPart.size() == 0 ? 1
        : Saturation.requestsPerSecond(shortPart, shortEngine) / Saturation.requestsPerSecond(shortPart, longEngine);
    double beta = homogeneous.instances() == 0 ? 0 : (double) longOnShort.instances() / homogeneous.instances();
    int routed = shortPool.instances() + longPool.instances();
    double savingsSimulated = 1 - (double) routed / homogeneous.instances();

    long preemptionsRouted = preemptions(shortPool) + preemptions(longPool);
    double ttftP99Routed = mergedP99(shortPool.run(), longPool.run());
    return new PlanReport(
        config, "short " + shortEngine.describe() + ", long " + longEngine.describe(), n, trace.span(),
        n / Math.max(trace.span(), 1e-9), alpha, (double) shortPart.size() / Math.max(1, n), misrouteRate,
        (double) overflowed / Math.max(1, n), bytes == null ? 0 : bytes.conservativeRatio(),
        rho, rhoSaturation, beta,
        homogeneous.instances(), shortPool.instances(), longPool.instances(), longOnShort.instances(),
        homogeneous.attainable() && shortPool.attainable() && longPool.attainable() && longOnShort.attainable(),
        savingsSimulated,
        CostModel.savings(alpha, rho),
        CostModel.savingsWithMisroutes(alpha, rho, misrouteRate),
        Math.min(1, beta) * (1 - 1 / rho),
        preemptions(homogeneous) * 1000.0 / Math.max(1, n),
        preemptionsRouted * 1000.0 / Math.max(1, n),
        homogeneous.run().ttftP99(), ttftP99Routed,
        CostModel.yearlyCost(homogeneous.instances(), config.pricePerInstanceHour()),
        CostModel.yearlyCost(routed, config.pricePerInstanceHour()),
        homogeneous.probes() + shortPool.probes() + longPool.probes() + longOnShort.probes(),
        (System.nanoTime() - started) / 1e9);
  }

  private static long preemptions(InstanceSearch.Outcome o) {
    return o.run() == null ? 0 : o.run().preemptions();
  }

  private static double mergedP99(FleetSimulator.Result a, FleetSimulator.Result b) {
    double[] x = a == null ? new double[0] : a.sortedTtft();
    double[] y = b == null ? new double[0] : b.sortedTtft();
    double[] all = new double[x.length + y.length];
    System.arraycopy(x, 0, all, 0, x.length);
    System.arraycopy(y, 0, all, x.length, y.length);
    java.util.Arrays.sort(all);
    return FleetSimulator.percentile(all, 0.99);
  }
}
