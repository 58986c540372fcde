package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceSearchTest {
  static final ShapeScaling SHAPES = ShapeScaling.shipped("gpu");

  @Test
  void theAnswerMeetsTheObjectiveAndOneFewerDoesNot() {
    Trace t = Synthetic.twoSizes(80, 30, 0.9, 900, 150, 6000, 60, 9);
    EngineSpec spec = SHAPES.longPool(65536);
    Slo slo = Slo.p99(1.5, t.size());
    int n = InstanceSearch.smallest(t, spec, slo).instances();
    boolean atN = FleetSimulator.run(t, spec, n, slo).meets(slo);
    boolean belowN = FleetSimulator.run(t, spec, n - 1, slo).meets(slo);
    assertThat(new boolean[] {atN, belowN}).containsExactly(true, false);
  }

  @Test
  void anUnreachableObjectiveIsReportedAsSuch() {
    // a 6,000-token prompt needs twelve 512-token prefill steps: far more than 50 ms even on an idle fleet
    Trace t = Synthetic.twoSizes(5, 10, 0.0, 900, 150, 6000, 60, 9);
    Slo slo = Slo.allowing(0.05, 0);
    assertThat(InstanceSearch.smallest(t, SHAPES.longPool(65536), slo).attainable()).isFalse();
  }

  @Test
  void aPoolOfOneRequestNeedsOneInstance() {
    // a span of zero makes the throughput bound infinite; the search must start at what can help
    Trace one = new Trace(new double[] {3.0}, new int[] {9000}, new int[] {50});
    assertThat(InstanceSearch.smallest(one, SHAPES.longPool(65536), Slo.p99(5, 1)).instances()).isEqualTo(1);
  }

  @Test
  void shortShapesTradeContextForSlotsAtTheSameKvCache() {
    EngineSpec at4k = SHAPES.shortPool(4096);
    EngineSpec at64k = SHAPES.longPool(65536);
    assertThat(new int[] {at4k.shape().maxNumSeqs(), at64k.shape().maxNumSeqs(),
        at4k.shape().numGpuBlocks() - at64k.shape().numGpuBlocks()}).containsExactly(256, 16, 0);
  }

  @Test
  void anOvercommittedLongShapeKeepsItsSlotCount() {
    assertThat(SHAPES.withLongMaxNumSeqs(256).longPool(65536).shape().maxNumSeqs()).isEqualTo(256);
  }
}
