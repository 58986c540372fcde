package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
}
