package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {
  static final ShapeScaling SHAPES = ShapeScaling.shipped("gpu");

  @Test
  void aLoneRequestWaitsOnlyForItsOwnPrefill() {
    // 4,096 prompt tokens = two chunks of vLLM's A100 budget, 2,048: step = 8 ms + 0.1 ms/token + context term
    Trace one = new Trace(new double[] {0}, new int[] {4096}, new int[] {10});
    EngineSpec spec = SHAPES.longPool(65536);
    double expected = (CostModel.GPU.stepNanos(2048, 0, 2048) + CostModel.GPU.stepNanos(2048, 0, 4096)) / 1e9;
    FleetSimulator.Result r = FleetSimulator.run(one, spec, 1, null);
    assertThat(r.ttftP99()).isCloseTo(expected, within(1e-9));
  }

  @Test
  void everyRequestCompletesWhenNotAbandoned() {
    Trace t = Synthetic.twoSizes(50, 20, 0.9, 800, 100, 6000, 50, 3);
    FleetSimulator.Result r = FleetSimulator.run(t, SHAPES.longPool(65536), 8, null);
    assertThat(r.completed()).isEqualTo(t.size());
  }

  @Test
  void moreInstancesGiveNoWorseTail() {
    Trace t = Synthetic.twoSizes(50, 20, 0.9, 800, 100, 6000, 50, 3);
    EngineSpec spec = SHAPES.longPool(65536);
    double few = FleetSimulator.run(t, spec, 6, null).ttftP99();
    double many = FleetSimulator.run(t, spec, 12, null).ttftP99();
    assertThat(many).isLessThanOrEqualTo(few);
  }

  @Test
  void aRunStopsOnceTheLateBudgetIsSpent() {
    Trace t = Synthetic.twoSizes(200, 20, 0.9, 800, 100, 6000, 50, 3);
    FleetSimulator.Result r = FleetSimulator.run(t, SHAPES.longPool(65536), 1, Slo.p99(1.0, t.size()));
    assertThat(r.abandoned()).isTrue();
  }

  @Test
  void preemptionsOfEveryInstanceAreCounted() {
    // 64 slots but KV for only ~8 full sequences: growth forces recompute preemptions
    PoolShape tight = new PoolShape("tight", 4096, 64, 8 * 4096 / 16, 512, 16);
    Trace t = Synthetic.twoSizes(40, 20, 1.0, 2000, 1500, 2000, 1500, 5);
    FleetSimulator.Result r = FleetSimulator.run(t, new EngineSpec(tight, CostModel.GPU), 2, null);
    assertThat(r.preemptions()).isPositive();
  }

  @Test
  void heapPopsInTimeOrder() {
    StepHeap heap = new StepHeap(2);
    long[] keys = {50, 10, 40, 10, 30, 20};
    for (int i = 0; i < keys.length; i++) {
      heap.push(i, keys[i]);
    }
    StringBuilder order = new StringBuilder();
    while (!heap.isEmpty()) {
      order.append(heap.pop());
    }
    assertThat(order.toString()).isEqualTo("135420");
  }
}
