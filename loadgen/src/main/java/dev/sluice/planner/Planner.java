package dev.sluice.planner;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Sizes a homogeneous fleet and a routed fleet for one trace and compares them with the cost model.
 *
 * <ol>
 *   <li>Every request gets prompt bytes (from real text's bytes/token) and a pool from the routing policy. A
 *       request too long for the short pool that the router sent there is rejected before any work and
 *       served by the long pool, so the two pools see disjoint parts of the trace.</li>
 *   <li>Both fleets are sized to the same TTFT objective. With {@link Scope#FLEET} it is the P99 over all
 *       requests; the routed fleet's allowance of late requests is split between its pools, trying a few
 *       splits. With {@link Scope#CLASS} every class (short, long) must meet its own P99 in both fleets.</li>
 *   <li>rho is measured as a capacity planner sees it: long-configured instances needed for the short pool's
 *       traffic over short instances needed for it, both at that traffic's own P99.</li>
 * </ol>
 */
public final class Planner {

  /** Which requests the P99 TTFT objective is taken over. */
  public enum Scope {
    /** All requests of a fleet together: the routed fleet may let its long pool take more of the tail. */
    FLEET,
    /** Short and long requests separately, in both fleets: no class may be worse off than its P99. */
    CLASS
  }

  /** Shares of the routed fleet's late budget tried for the long pool (the short pool gets the rest). */
  static final double[] LONG_POOL_BUDGET_SHARES = {0, 0.25, 0.5, 0.75, 1};

  /** What to plan for. */
  public record Config(int shortContext, int longContext, double sloTtftP99Seconds, double pricePerInstanceHour,
      long seed, Scope scope) {

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
   * Plans with a settled fixed-ratio router (one standard deviation below the corpus mean), or with the
   * oracle on true token counts when {@code bytes} is null.
   */
  public static PlanReport plan(Trace trace, Config config, PoolShapes shapes, PromptBytes bytes) {
    RoutingPolicy policy = bytes == null
        ? RoutingPolicy.oracle(config.shortContext())
        : RoutingPolicy.conservativeRatio(config.shortContext(), bytes.conservativeRatio());
    double ratio = bytes == null ? 0 : bytes.conservativeRatio();
    return plan(trace, config, shapes, bytes, policy, () -> ratio);
  }

  /**
   * @param bytes          prompt bytes per token model; null gives every prompt 4 bytes per token
   * @param policy         decides each request's pool, in trace order
   * @param routingRatio   bytes per token the policy routes with once every request is routed, for the
   *                       report (0 when it is not one number)
   */
  public static PlanReport plan(Trace trace, Config config, PoolShapes shapes, PromptBytes bytes,
      RoutingPolicy policy, DoubleSupplier routingRatio) {
    long started = System.nanoTime();
    SplittableRandom random = new SplittableRandom(config.seed());
    int n = trace.size();
    boolean[] toShort = new boolean[n];
    boolean[] toLong = new boolean[n];
    byte[] classOf = new byte[n];
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
      toLong[i] = !toShort[i];
      classOf[i] = (byte) (toShort[i] ? 0 : 1);
    }
    if (tooLong > 0) {
      throw new IllegalArgumentException(tooLong + " requests exceed the long context " + config.longContext()
          + " (pass a larger --long-context)");
    }
    Trace shortPart = trace.select(toShort);
    Trace longPart = trace.select(toLong);
    EngineSpec shortEngine = shapes.shortPool(config.shortContext());
    EngineSpec longEngine = shapes.longPool(config.longContext());
    double slo = config.sloTtftP99Seconds();

    InstanceSearch homogeneousSearch = new InstanceSearch(trace, longEngine);
    InstanceSearch shortSearch = new InstanceSearch(shortPart, shortEngine);
    InstanceSearch longSearch = new InstanceSearch(longPart, longEngine);
    InstanceSearch longOnShortSearch = new InstanceSearch(shortPart, longEngine);

    InstanceSearch.Outcome homogeneous;
    InstanceSearch.Outcome shortPool;
    InstanceSearch.Outcome longPool;
    if (config.scope() == Scope.CLASS) {
      homogeneous = homogeneousSearch.smallest(Slo.p99PerClass(slo, classOf));
      shortPool = shortSearch.smallest(Slo.p99(slo, shortPart.size()));
      longPool = longSearch.smallest(Slo.p99(slo, longPart.size()));
    } else {
      long budget = Slo.tail(n);
      homogeneous = homogeneousSearch.smallest(Slo.allowing(slo, budget));
      InstanceSearch.Outcome[] best = null;
      for (double share : LONG_POOL_BUDGET_SHARES) {
        InstanceSearch.Outcome l = longSearch.smallest(Slo.allowing(slo, (long) Math.floor(budget * share)));
        long lateLong = l.run() == null ? 0 : l.run().lateTotal();
        InstanceSearch.Outcome s = shortSearch.smallest(Slo.allowing(slo, budget - lateLong));
        if (best == null || s.instances() + l.instances() < best[0].instances() + best[1].instances()) {
          best = new InstanceSearch.Outcome[] {s, l};
        }
      }
      shortPool = best[0];
      longPool = best[1];
    }
    Slo shortOwnP99 = Slo.p99(slo, shortPart.size());
    InstanceSearch.Outcome shortAlone = shortSearch.smallest(shortOwnP99);
    InstanceSearch.Outcome longOnShort = longOnShortSearch.smallest(shortOwnP99);

    double alpha = n == 0 ? 0 : (double) trulyShort / n;
    double misrouteRate = trulyShort == 0 ? 0 : (double) misrouted / trulyShort;
    double rho = shortAlone.instances() == 0 ? 1 : (double) longOnShort.instances() / shortAlone.instances();
    double rhoSaturation = shortPart.size() == 0 ? 1
        : Saturation.requestsPerSecond(shortPart, shortEngine) / Saturation.requestsPerSecond(shortPart, longEngine);
    double shortLoadShare = homogeneous.instances() == 0 ? 0
        : Math.min(1, (double) longOnShort.instances() / homogeneous.instances());
    int routed = shortPool.instances() + longPool.instances();
    double savingsSimulated = 1 - (double) routed / homogeneous.instances();

    long preemptionsRouted = preemptions(shortPool) + preemptions(longPool);
    double[] homogeneousTtft = homogeneous.run().ttft();
    double[] routedTtft = new double[n];
    scatter(shortPool.run(), toShort, routedTtft);
    scatter(longPool.run(), toLong, routedTtft);
    int simulations = homogeneousSearch.simulations() + shortSearch.simulations() + longSearch.simulations()
        + longOnShortSearch.simulations();
    return new PlanReport(
        config, "short " + shortEngine.describe() + ", long " + longEngine.describe(), n, trace.span(),
        n / Math.max(trace.span(), 1e-9), alpha, (double) shortPart.size() / Math.max(1, n), misrouteRate,
        (double) overflowed / Math.max(1, n), routingRatio.getAsDouble(),
        rho, rhoSaturation, shortLoadShare,
        homogeneous.instances(), shortPool.instances(), longPool.instances(), longOnShort.instances(),
        shortAlone.instances(),
        homogeneous.attainable() && shortPool.attainable() && longPool.attainable() && longOnShort.attainable()
            && shortAlone.attainable(),
        savingsSimulated,
        CostModel.savings(alpha, rho),
        CostModel.savingsWithMisroutes(alpha, rho, misrouteRate),
        shortLoadShare * (1 - 1 / rho),
        preemptions(homogeneous) * 1000.0 / Math.max(1, n),
        preemptionsRouted * 1000.0 / Math.max(1, n),
        p99(homogeneousTtft, null), p99(homogeneousTtft, toShort), p99(homogeneousTtft, toLong),
        p99(routedTtft, null), p99(routedTtft, toShort), p99(routedTtft, toLong),
        CostModel.yearlyCost(homogeneous.instances(), config.pricePerInstanceHour()),
        CostModel.yearlyCost(routed, config.pricePerInstanceHour()),
        simulations,
        (System.nanoTime() - started) / 1e9);
  }

  private static long preemptions(InstanceSearch.Outcome o) {
    return o.run() == null ? 0 : o.run().preemptions();
  }

  // a pool's run is indexed by its own rows; put its TTFTs back at the rows of the whole trace
  private static void scatter(FleetSimulator.Result run, boolean[] rows, double[] into) {
    int j = 0;
    for (int i = 0; i < rows.length; i++) {
      if (rows[i]) {
        into[i] = run.ttft()[j++];
      }
    }
  }

  /** P99 of the rows picked by {@code rows} (all when null); 0 when none. */
  static double p99(double[] ttft, boolean[] rows) {
    double[] picked = new double[ttft.length];
    int m = 0;
    for (int i = 0; i < ttft.length; i++) {
      if (rows == null || rows[i]) {
        picked[m++] = ttft[i];
      }
    }
    double[] sorted = Arrays.copyOf(picked, m);
    Arrays.sort(sorted);
    return FleetSimulator.percentile(sorted, 0.99);
  }
}
