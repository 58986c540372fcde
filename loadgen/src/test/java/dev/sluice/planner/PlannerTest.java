package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
  static final ShapeScaling SHAPES = ShapeScaling.shipped("gpu");

  static Planner.Config config(long seed) {
    return new Planner.Config(4096, 65536, 2.0, 17.68, seed, Planner.Scope.FLEET);
  }

  @Test
  void samePlanForTheSameSeed() throws Exception {
    Trace t = Synthetic.twoSizes(60, 30, 0.85, 900, 150, 6000, 60, 11);
    PromptBytes bytes = PromptBytes.fromCorpus(TraceTest.shared().resolve("data/corpus/chunk_tokens.tsv"),
        PlanCommand.PROSE);
    Map<String, Object> a = withoutWallTime(Planner.plan(t, config(7), SHAPES, bytes).fields());
    Map<String, Object> b = withoutWallTime(Planner.plan(t, config(7), SHAPES, bytes).fields());
    assertThat(a).isEqualTo(b);
  }

  @Test
  void theSeedDrivesTheRoutingNoise() throws Exception {
    // requests right at the threshold: whether bytes/token noise sends them long depends on the draws
    Trace t = Synthetic.twoSizes(100, 20, 1.0, 3900, 100, 3900, 100, 11);
    PromptBytes bytes = PromptBytes.fromCorpus(TraceTest.shared().resolve("data/corpus/chunk_tokens.tsv"),
        PlanCommand.PROSE);
    double m1 = Planner.plan(t, config(1), SHAPES, bytes).misrouteRate();
    double m2 = Planner.plan(t, config(2), SHAPES, bytes).misrouteRate();
    assertThat(m1).isNotEqualTo(m2);
  }

  /**
   * Poisson arrivals, a known 80/20 split and oracle routing: the closed form's assumptions hold (stationary
   * load, no misroutes), so the simulated savings must come out at the formula's. The formula is evaluated
   * with the measured rho and alpha weighted by work (the short traffic's share of the homogeneous fleet),
   * since a long request costs more than a short one. The difference is then exactly
   * (N_long + N_homogeneousOnShort - N_homogeneous) / N_homogeneous: the rounding of three integer counts
   * (each rounded up, so -1 to +2 instances, up to 2.2 points with N_homogeneous near 90) plus what a
   * separately sized long pool loses by not pooling with the short traffic (about one instance at this size,
   * shrinking with fleet size like square-root staffing). Hence a tolerance of 4 points.
   */
  @Test
  void simulatedSavingsMatchTheFormulaOnAStationaryKnownSplit() {
    Trace t = Synthetic.twoSizes(300, 40, 0.8, 700, 250, 6000, 80, 21);
    PlanReport r = Planner.plan(t, config(1), SHAPES, null);
    assertThat(r.savingsSimulated()).isCloseTo(r.savingsFormulaLoadWeighted(), within(0.04));
  }

  @Test
  void oracleRoutingReproducesTheKnownSplit() {
    Trace t = Synthetic.twoSizes(100, 20, 0.8, 700, 250, 6000, 80, 21);
    int fits = 0;
    for (int i = 0; i < t.size(); i++) {
      fits += t.total(i) <= 4096 ? 1 : 0;
    }
    PlanReport r = Planner.plan(t, config(1), SHAPES, null);
    assertThat(r.routedShortShare()).isEqualTo((double) fits / t.size());
  }

  private static Map<String, Object> withoutWallTime(Map<String, Object> fields) {
    fields.remove("wallSeconds");
    return fields;
  }

  // ---- baselines as an axis, objectives checked against what requests need alone ------------------------

  @Test
  void eachBaselineIsAPlanOfItsOwnOnTheSameRoutingAndShortPool() {
    Trace t = Synthetic.twoSizes(40, 60, 0.8, 900, 150, 12000, 300, 5);
    List<PlanReport> plans = Planner.plan(t, config(1), SHAPES, null, RoutingPolicy.oracle(4096), () -> 0,
        List.of(16, 64));
    assertThat(plans).extracting(PlanReport::longMaxNumSeqs).containsExactly(16, 64);
    assertThat(plans).extracting(PlanReport::instancesShort).containsOnly(plans.get(0).instancesShort());
    Map<String, Object> single = withoutEffort(Planner.plan(t, config(1), SHAPES.withLongMaxNumSeqs(64), null)
        .fields());
    assertThat(withoutEffort(plans.get(1).fields())).isEqualTo(single);
  }

  @Test
  void anSloNoFleetMeetsIsRefusedBeforeAnySimulation() {
    // 6,000-token prompts take three 2,048-token steps, over 600 ms, alone on an idle instance
    Trace t = Synthetic.twoSizes(40, 60, 0.0, 900, 150, 6000, 60, 9);
    InstanceSearch search = new InstanceSearch(t, SHAPES.longPool(65536));
    InstanceSearch.Outcome o = search.smallest(Slo.p99(0.3, t.size()));
    assertThat(List.of(o.attainable(), search.simulations())).containsExactly(false, 0);
    // 2,500-token prompts, all short: two steps, about 270 ms alone, so a 200 ms P99 is out of reach
    Trace shortOnly = Synthetic.twoSizes(40, 60, 1.0, 2500, 150, 6000, 60, 9);
    assertThatThrownBy(() -> Planner.plan(shortOnly, new Planner.Config(4096, 65536, 0.2, 17.68, 1,
        Planner.Scope.AUTO), SHAPES, null)).isInstanceOf(Planner.UnattainableSlo.class)
        .hasMessageStartingWith("TTFT P99 SLO of 200 ms cannot be met at any fleet size");
  }

  @Test
  void autoScopeHoldsEachClassToItsOwnP99WhenTheLongestPromptsCannotMeetAFleetWideOne() {
    // 30% of the requests have 30,000-token prompts: about 3 s of prefill alone, over the 2 s SLO
    Trace t = Synthetic.twoSizes(10, 60, 0.7, 900, 150, 30000, 200, 3);
    PlanReport r = Planner.plan(t, new Planner.Config(4096, 65536, 2.0, 17.68, 1, Planner.Scope.AUTO), SHAPES,
        null);
    double alone = CostModelAlone.ttftSeconds(30000);
    assertThat(r.objective().scope()).isEqualTo(Planner.Scope.CLASS);
    assertThat(r.objective().longSeconds()).isCloseTo(alone + 2.0, within(1e-9));
    assertThat(r.ttftP99RoutedLongSeconds()).isLessThanOrEqualTo(r.objective().longSeconds());
  }

  @Test
  void theSearchStopsWhereMoreInstancesNoLongerHelp() {
    // three requests overlap when each is served alone; no fourth instance can ever be useful
    Trace t = new Trace(new double[] {0, 0.01, 0.02, 100}, new int[] {4000, 4000, 4000, 100},
        new int[] {500, 500, 500, 10});
    InstanceSearch search = new InstanceSearch(t, SHAPES.longPool(65536));
    search.smallest(Slo.p99(5, t.size()));
    assertThat(search.usefulInstances()).isEqualTo(3);
  }

  private static Map<String, Object> withoutEffort(Map<String, Object> fields) {
    fields.remove("wallSeconds");
    fields.remove("simulations");
    return fields;
  }

  /** The gpu profile's alone TTFT with vLLM's A100 budget. */
  private static final class CostModelAlone {
    static double ttftSeconds(int prompt) {
      return dev.sluice.engine.CostModel.GPU.aloneTtftNanos(prompt, 2048) / 1e9;
    }
  }
}
