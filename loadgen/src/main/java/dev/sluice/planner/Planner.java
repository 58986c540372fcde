package dev.sluice.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Sizes a homogeneous fleet and a routed fleet for one trace and compares them with the cost model.
 *
 * <ol>
 *   <li>Every request gets prompt bytes (from real text's bytes/token) and a pool from the routing policy. A
 *       request too long for the short pool that the router sent there is rejected before any work and
 *       served by the long pool, so the two pools see disjoint parts of the trace.</li>
 *   <li>The objective is checked against what no fleet size can beat: a request's own prefill on an idle
 *       instance. An SLO that a class cannot meet even so is an {@link UnattainableSlo}; with
 *       {@link Scope#AUTO} a fleet-wide SLO that the longest prompts cannot meet becomes a per-class one.</li>
 *   <li>Both fleets are sized to the same TTFT objective. With {@link Scope#FLEET} it is the P99 over all
 *       requests; the routed fleet's allowance of late requests is split between its pools, trying a few
 *       splits. With {@link Scope#CLASS} every class (short, long) must meet its own P99 in both fleets.</li>
 *   <li>rho is measured as a capacity planner sees it: long-configured instances needed for the short pool's
 *       traffic over short instances needed for it, both at that traffic's own P99.</li>
 *   <li>Each baseline (a {@code max_num_seqs} of the long configuration, used by the homogeneous fleet and the
 *       routed long pool alike) is sized on the same routing; the short pool is sized once.</li>
 * </ol>
 */
public final class Planner {

  /** Which requests the P99 TTFT objective is taken over. */
  public enum Scope {
    /** All requests of a fleet together: the routed fleet may let its long pool take more of the tail. */
    FLEET,
    /** Short and long requests separately, in both fleets: no class may be worse off than its P99. */
    CLASS,
    /** {@link #FLEET} when the longest prompts can meet the SLO at all, else {@link #CLASS}. */
    AUTO
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

  /** An objective that no number of instances meets: answered with a reason instead of a runaway search. */
  public static final class UnattainableSlo extends RuntimeException {
    UnattainableSlo(String message) {
      super(message);
    }
  }

  /**
   * The objective a plan was sized to, after the checks against what requests need alone.
   *
   * @param scope            fleet or class (never auto)
   * @param shortSeconds     TTFT P99 target of the short class (the SLO), and of the fleet in fleet scope
   * @param longSeconds      TTFT P99 target of the long class: the SLO, or in class scope when the long class
   *                         cannot meet it alone, its own prefill's P99 plus the SLO
   * @param note             why the scope or the long target differ from what was asked, or empty
   */
  public record Objective(Scope scope, double shortSeconds, double longSeconds, String note) {
  }

  private Planner() {
  }

  /**
   * Plans with a settled fixed-ratio router (one standard deviation below the corpus mean), or with the
   * oracle on true token counts when {@code bytes} is null.
   */
  public static PlanReport plan(Trace trace, Config config, ShapeScaling shapes, PromptBytes bytes) {
    RoutingPolicy policy = bytes == null
        ? RoutingPolicy.oracle(config.shortContext())
        : RoutingPolicy.conservativeRatio(config.shortContext(), bytes.conservativeRatio());
    double ratio = bytes == null ? 0 : bytes.conservativeRatio();
    return plan(trace, config, shapes, bytes, policy, () -> ratio);
  }

  /** One plan with the long configuration as {@code shapes} gives it. */
  public static PlanReport plan(Trace trace, Config config, ShapeScaling shapes, PromptBytes bytes,
      RoutingPolicy policy, DoubleSupplier routingRatio) {
    return plan(trace, config, shapes, bytes, policy, routingRatio, List.of()).get(0);
  }

  /**
   * @param bytes          prompt bytes per token model; null gives every prompt 4 bytes per token
   * @param policy         decides each request's pool, in trace order
   * @param routingRatio   bytes per token the policy routes with once every request is routed, for the
   *                       report (0 when it is not one number)
   * @param baselines      the long configuration's {@code max_num_seqs} values to size both fleets at, in
   *                       order; empty for the one {@code shapes} gives
   * @return one report per baseline
   * @throws UnattainableSlo when no fleet size meets the objective
   */
  public static List<PlanReport> plan(Trace trace, Config config, ShapeScaling shapes, PromptBytes bytes,
      RoutingPolicy policy, DoubleSupplier routingRatio, List<Integer> baselines) {
    long started = System.nanoTime();
    Routing routing = Routing.of(trace, config, bytes, policy);
    EngineSpec shortEngine = shapes.shortPool(config.shortContext());
    InstanceSearch shortSearch = new InstanceSearch(routing.shortPart, shortEngine);
    List<ShapeScaling> longShapes = new ArrayList<>();
    if (baselines.isEmpty()) {
      longShapes.add(shapes);
    }
    baselines.forEach(seqs -> longShapes.add(shapes.withLongMaxNumSeqs(seqs)));

    Objective objective = objective(config, routing, shortSearch,
        new InstanceSearch(trace, longShapes.get(0).longPool(config.longContext())),
        new InstanceSearch(routing.longPart, longShapes.get(0).longPool(config.longContext())));
    Slo shortOwnP99 = Slo.p99(objective.shortSeconds(), routing.shortPart.size());
    InstanceSearch.Outcome shortAlone = shortSearch.smallest(shortOwnP99);
    double ratio = routingRatio.getAsDouble();
    List<PlanReport> reports = new ArrayList<>();
    for (ShapeScaling s : longShapes) {
      reports.add(size(trace, config, routing, objective, shortSearch, shortAlone, s, ratio, started));
    }
    return reports;
  }

  /** The requests as routed: which pool serves each, and the routing's error shares. */
  private record Routing(boolean[] toShort, boolean[] toLong, byte[] classOf, Trace shortPart, Trace longPart,
      double alpha, double misrouteRate, double overflowShare) {

    static Routing of(Trace trace, Config config, PromptBytes bytes, RoutingPolicy policy) {
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
      return new Routing(toShort, toLong, classOf, trace.select(toShort), trace.select(toLong),
          n == 0 ? 0 : (double) trulyShort / n, trulyShort == 0 ? 0 : (double) misrouted / trulyShort,
          (double) overflowed / Math.max(1, n));
    }
  }

  /**
   * Resolves the scope and the per-class targets against what each request needs alone on an idle instance
   * (the same for every baseline: only {@code max_num_seqs} differs between them).
   */
  static Objective objective(Config config, Routing routing, InstanceSearch shortSearch,
      InstanceSearch homogeneousSearch, InstanceSearch longSearch) {
    double slo = config.sloTtftP99Seconds();
    int n = routing.toShort.length;
    int nShort = routing.shortPart.size();
    int nLong = routing.longPart.size();
    long lateShort = shortSearch.lateEvenAlone(Slo.p99(slo, nShort))[0];
    long lateLong = longSearch.lateEvenAlone(Slo.p99(slo, nLong))[0];
    long lateAll = homogeneousSearch.lateEvenAlone(Slo.p99(slo, n))[0];
    boolean fleetMeetable = lateAll <= Slo.tail(n) && lateShort + lateLong <= Slo.tail(n);
    Scope scope = config.scope() == Scope.AUTO ? (fleetMeetable ? Scope.FLEET : Scope.CLASS) : config.scope();
    if (scope == Scope.FLEET) {
      if (!fleetMeetable) {
        throw new UnattainableSlo(f("TTFT P99 SLO of %.0f ms over the fleet cannot be met at any fleet size: "
            + "%.1f%% of the requests need longer than that alone on an idle instance, where their own prefill is "
            + "all they wait for (p99 of that floor: %.0f ms); use --slo-scope class to hold short and long "
            + "requests to their own P99, or raise --slo-ttft-p99", slo * 1000, 100.0 * lateAll / Math.max(1, n),
            homogeneousSearch.aloneTtftP99() * 1000));
      }
      return new Objective(Scope.FLEET, slo, slo, "");
    }
    if (lateShort > Slo.tail(nShort)) {
      throw new UnattainableSlo(f("TTFT P99 SLO of %.0f ms cannot be met at any fleet size: %.1f%% of the short "
          + "requests (<= %,d tokens) need longer than that alone on an idle instance, where their own prefill is "
          + "all they wait for (p99 of that floor: %.0f ms); raise --slo-ttft-p99 above that", slo * 1000,
          100.0 * lateShort / Math.max(1, nShort), config.shortContext(), shortSearch.aloneTtftP99() * 1000));
    }
    String note = config.scope() == Scope.AUTO
        ? f("a fleet-wide P99 of %.0f ms cannot be met: %.1f%% of the requests need longer alone, so each class "
            + "is held to its own P99", slo * 1000, 100.0 * lateAll / Math.max(1, n))
        : "";
    double longSeconds = slo;
    if (lateLong > Slo.tail(nLong)) {
      double floor = longSearch.aloneTtftP99();
      longSeconds = floor + slo;
      note = (note.isEmpty() ? "" : note + "; ") + f("the long class is held to %.0f ms: its own prefill alone "
          + "takes up to %.0f ms (p99), plus the %.0f ms SLO", longSeconds * 1000, floor * 1000, slo * 1000);
    }
    return new Objective(Scope.CLASS, slo, longSeconds, note);
  }

  private static PlanReport size(Trace trace, Config config, Routing routing, Objective objective,
      InstanceSearch shortSearch, InstanceSearch.Outcome shortAlone, ShapeScaling shapes, double routingRatio,
      long started) {
    int n = trace.size();
    EngineSpec shortEngine = shapes.shortPool(config.shortContext());
    EngineSpec longEngine = shapes.longPool(config.longContext());
    InstanceSearch homogeneousSearch = new InstanceSearch(trace, longEngine);
    InstanceSearch longSearch = new InstanceSearch(routing.longPart, longEngine);
    InstanceSearch longOnShortSearch = new InstanceSearch(routing.shortPart, longEngine);
    double slo = objective.shortSeconds();

    InstanceSearch.Outcome homogeneous;
    InstanceSearch.Outcome shortPool;
    InstanceSearch.Outcome longPool;
    if (objective.scope() == Scope.CLASS) {
      homogeneous = homogeneousSearch.smallest(Slo.p99PerClass(slo, objective.longSeconds(), routing.classOf));
      shortPool = shortSearch.smallest(Slo.p99(slo, routing.shortPart.size()));
      longPool = longSearch.smallest(Slo.p99(objective.longSeconds(), routing.longPart.size()));
    } else {
      long budget = Slo.tail(n);
      homogeneous = homogeneousSearch.smallest(Slo.allowing(slo, budget));
      InstanceSearch.Outcome[] best = null;
      for (double share : LONG_POOL_BUDGET_SHARES) {
        InstanceSearch.Outcome l = longSearch.smallest(Slo.allowing(slo, (long) Math.floor(budget * share)));
        if (!l.attainable()) {
          continue;
        }
        long lateLong = l.run() == null ? 0 : l.run().lateTotal();
        InstanceSearch.Outcome s = shortSearch.smallest(Slo.allowing(slo, budget - lateLong));
        if (s.attainable()
            && (best == null || s.instances() + l.instances() < best[0].instances() + best[1].instances())) {
          best = new InstanceSearch.Outcome[] {s, l};
        }
      }
      if (best == null) {
        throw unreachable("the routed fleet", longSearch);
      }
      shortPool = best[0];
      longPool = best[1];
    }
    InstanceSearch.Outcome longOnShort = longOnShortSearch.smallest(Slo.p99(slo, routing.shortPart.size()));
    requireAttainable(homogeneous, "the homogeneous fleet", homogeneousSearch);
    requireAttainable(shortPool, "the short pool", shortSearch);
    requireAttainable(longPool, "the long pool", longSearch);
    requireAttainable(shortAlone, "the short pool", shortSearch);
    requireAttainable(longOnShort, "long-configured instances on the short traffic", longOnShortSearch);

    double rho = shortAlone.instances() == 0 ? 1 : (double) longOnShort.instances() / shortAlone.instances();
    double rhoSaturation = routing.shortPart.size() == 0 ? 1
        : Saturation.requestsPerSecond(routing.shortPart, shortEngine)
            / Saturation.requestsPerSecond(routing.shortPart, longEngine);
    double shortLoadShare = homogeneous.instances() == 0 ? 0
        : Math.min(1, (double) longOnShort.instances() / homogeneous.instances());
    int routed = shortPool.instances() + longPool.instances();
    double savingsSimulated = 1 - (double) routed / homogeneous.instances();

    long preemptionsRouted = preemptions(shortPool) + preemptions(longPool);
    double[] homogeneousTtft = homogeneous.run().ttft();
    double[] routedTtft = new double[n];
    scatter(shortPool.run(), routing.toShort, routedTtft);
    scatter(longPool.run(), routing.toLong, routedTtft);
    int simulations = homogeneousSearch.simulations() + shortSearch.simulations() + longSearch.simulations()
        + longOnShortSearch.simulations();
    double alpha = routing.alpha;
    return new PlanReport(
        config, objective, longEngine.shape().maxNumSeqs(),
        "short " + shortEngine.describe() + ", long " + longEngine.describe(), n, trace.span(),
        n / Math.max(trace.span(), 1e-9), alpha, (double) routing.shortPart.size() / Math.max(1, n),
        routing.misrouteRate, routing.overflowShare, routingRatio,
        rho, rhoSaturation, shortLoadShare,
        homogeneous.instances(), shortPool.instances(), longPool.instances(), longOnShort.instances(),
        shortAlone.instances(), shortEngine.shape().maxNumSeqs(),
        savingsSimulated,
        CostModel.savings(alpha, rho),
        CostModel.savingsWithMisroutes(alpha, rho, routing.misrouteRate),
        shortLoadShare * (1 - 1 / rho),
        preemptions(homogeneous) * 1000.0 / Math.max(1, n),
        preemptionsRouted * 1000.0 / Math.max(1, n),
        preemptions(shortPool) * 1000.0 / Math.max(1, routing.shortPart.size()),
        preemptions(longPool) * 1000.0 / Math.max(1, routing.longPart.size()),
        p99(homogeneousTtft, null), p99(homogeneousTtft, routing.toShort), p99(homogeneousTtft, routing.toLong),
        p99(routedTtft, null), p99(routedTtft, routing.toShort), p99(routedTtft, routing.toLong),
        CostModel.yearlyCost(homogeneous.instances(), config.pricePerInstanceHour()),
        CostModel.yearlyCost(routed, config.pricePerInstanceHour()),
        simulations,
        (System.nanoTime() - started) / 1e9);
  }

  private static void requireAttainable(InstanceSearch.Outcome o, String what, InstanceSearch search) {
    if (!o.attainable()) {
      throw unreachable(what, search);
    }
  }

  private static UnattainableSlo unreachable(String what, InstanceSearch search) {
    return new UnattainableSlo(f("the TTFT objective cannot be met by %s at any size: with %d instances, as many "
        + "as its requests are ever in flight at once when each is served alone, it still misses; more instances "
        + "no longer help (raise --slo-ttft-p99)", what, search.usefulInstances()));
  }

  private static long preemptions(InstanceSearch.Outcome o) {
    return o.run() == null ? 0 : o.run().preemptions();
  }

  // a pool's run is indexed by its own rows; put its TTFTs back at the rows of the whole trace
  private static void scatter(FleetSimulator.Result run, boolean[] rows, double[] into) {
    if (run == null) {
      return;
    }
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

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
