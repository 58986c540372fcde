package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalPlanTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void constantRateSpacesRequestsByOneOverRate() {
    ArrivalPlan plan = ArrivalPlan.constant(4, 2 * SECOND, 3);
    assertThat(plan.offsetsNanos()).containsExactly(0, 250_000_000, 500_000_000, 750_000_000, SECOND,
        1_250_000_000, 1_500_000_000, 1_750_000_000);
  }

  @Test
  void poissonArrivalsHaveTheRequestedMeanRate() {
    ArrivalPlan plan = ArrivalPlan.poisson(1_000, 60 * SECOND, 1, 42);
    assertThat(plan.size() / 60.0).isCloseTo(1_000, within(15.0));
  }

  @Test
  void poissonGapsAreExponential() {
    assertThat(gapMeanAndCv(ArrivalPlan.poisson(1_000, 60 * SECOND, 1, 7))[1]).isCloseTo(1.0, within(0.03));
  }

  @Test
  void poissonIsReproducibleFromTheSeed() {
    assertThat(ArrivalPlan.poisson(500, SECOND, 1, 3).offsetsNanos())
        .containsExactly(ArrivalPlan.poisson(500, SECOND, 1, 3).offsetsNanos());
  }

  @Test
  void parsesAzureTimestampsWithSevenFractionDigits() {
    long a = AzureTrace.epochNanos("2023-11-16 18:17:03.9799600");
    long b = AzureTrace.epochNanos("2023-11-16 18:17:04.0319600");
    assertThat(b - a).isEqualTo(52_000_000L);
  }

  @Test
  void parsesTimestampsWithAZoneAndNoFraction() {
    long a = AzureTrace.epochNanos("2024-05-10 23:59:59+00:00");
    long b = AzureTrace.epochNanos("2024-05-11 00:00:00.5+00:00");
    assertThat(b - a).isEqualTo(1_500_000_000L);
  }

  @Test
  void traceReplayKeepsTheTraceOffsetsAndRows() throws Exception {
    List<AzureTrace.Row> rows = AzureTrace.read(TestData.trace("code"));
    ArrivalPlan plan = ArrivalPlan.trace(rows, 1.0, 10 * SECOND);
    assertThat(plan.offsetsNanos()[1]).isEqualTo(52_000_000L);
  }

  @Test
  void traceRowsCarryContextAndGeneratedTokens() throws Exception {
    List<AzureTrace.Row> rows = AzureTrace.read(TestData.trace("code"));
    assertThat(rows.get(0)).isEqualTo(new AzureTrace.Row(0, 4808, 10));
  }

  @Test
  void timeScaleCompressesTheTrace() throws Exception {
    List<AzureTrace.Row> rows = AzureTrace.read(TestData.trace("code"));
    ArrivalPlan plan = ArrivalPlan.trace(rows, 0.5, 10 * SECOND);
    assertThat(plan.offsetsNanos()[1]).isEqualTo(26_000_000L);
  }

  @Test
  void reRatingTheTraceHitsTheRequestedMeanRate() throws Exception {
    List<AzureTrace.Row> rows = AzureTrace.read(TestData.trace("conv"));
    double scale = ArrivalPlan.timeScaleForRate(rows, 200);
    ArrivalPlan plan = ArrivalPlan.trace(rows, scale, 60 * SECOND);
    assertThat(plan.size() / 60.0).isCloseTo(200, within(200 * 0.15));
  }

  @Test
  void aShortTraceWrapsAroundToFillTheRun() {
    List<AzureTrace.Row> rows = List.of(new AzureTrace.Row(0, 10, 1), new AzureTrace.Row(SECOND, 20, 2));
    ArrivalPlan plan = ArrivalPlan.trace(rows, 1.0, 5 * SECOND);
    assertThat(plan.template()).containsExactly(0, 1, 0, 1, 0);
  }

  @Test
  void countBeforeFindsTheWarmupBoundary() {
    ArrivalPlan plan = ArrivalPlan.constant(10, 2 * SECOND, 1);
    assertThat(plan.countBefore(SECOND)).isEqualTo(10);
  }

  @Test
  void warmupRampEndsAtTheWarmupBoundaryAtFullRate() {
    long warmup = 10 * SECOND;
    ArrivalPlan plan = ArrivalPlan.constant(100, ArrivalPlan.rampedLength(warmup, 10 * SECOND), 1)
        .rampWarmup(warmup);
    assertThat(plan.size() - plan.countBefore(warmup)).isEqualTo(1000);
  }

  @Test
  void warmupRampStartsAtATenthOfTheRate() {
    long warmup = 10 * SECOND;
    ArrivalPlan plan = ArrivalPlan.constant(100, ArrivalPlan.rampedLength(warmup, SECOND), 1).rampWarmup(warmup);
    // the rate climbs from 10% by 9% per second, so the first second averages 14.5% of it
    assertThat(plan.countBefore(SECOND)).isBetween(14, 15);
  }

  @Test
  void warmupRampKeepsOffsetsSorted() {
    ArrivalPlan plan = ArrivalPlan.poisson(500, ArrivalPlan.rampedLength(3 * SECOND, SECOND), 1, 5)
        .rampWarmup(3 * SECOND);
    assertThat(plan.offsetsNanos()).isSorted();
  }

  /** Mean and coefficient of variation of the gaps between consecutive arrivals. */
  private static double[] gapMeanAndCv(ArrivalPlan plan) {
    long[] t = plan.offsetsNanos();
    double sum = 0;
    double sumSq = 0;
    for (int i = 1; i < t.length; i++) {
      double gap = t[i] - t[i - 1];
      sum += gap;
      sumSq += gap * gap;
    }
    int n = t.length - 1;
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(sumSq / n - mean * mean) / mean};
  }

  @Test
  void gammaArrivalsKeepTheMeanRateExactly() {
    ArrivalPlan plan = ArrivalPlan.gamma(1_000, 20 * SECOND, 1, 3, 0.5);
    assertThat(plan.size()).isEqualTo(20_000);
    assertThat(gapMeanAndCv(plan)[0]).isCloseTo(1e6, within(1e6 * 0.001));
    assertThat(plan.offsetsNanos()[0]).isZero();
    assertThat(plan.offsetsNanos()[plan.size() - 1]).isLessThan(20 * SECOND);
  }

  @Test
  void gammaBurstinessSetsTheCoefficientOfVariation() {
    // gamma gaps of shape K have CV 1 / sqrt(K): bursty below 1, Poisson at 1, regular above
    for (double k : new double[] {0.25, 1, 4}) {
      double[] meanCv = gapMeanAndCv(ArrivalPlan.gamma(1_000, 60 * SECOND, 1, 11, k));
      assertThat(meanCv[1]).as("CV at burstiness %s", k).isCloseTo(1 / Math.sqrt(k), within(0.04 / Math.sqrt(k)));
    }
  }

  @Test
  void gammaArrivalsAreReproducibleFromTheSeed() {
    assertThat(ArrivalPlan.gamma(200, SECOND, 4, 9, 0.5).offsetsNanos())
        .isEqualTo(ArrivalPlan.gamma(200, SECOND, 4, 9, 0.5).offsetsNanos())
        .isNotEqualTo(ArrivalPlan.gamma(200, SECOND, 4, 10, 0.5).offsetsNanos());
  }

  @Test
  void gammaRefusesANonPositiveBurstiness() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ArrivalPlan.gamma(10, SECOND, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concatenatedStagesFollowEachOther() {
    ArrivalPlan first = ArrivalPlan.constant(10, SECOND, 4);
    ArrivalPlan second = ArrivalPlan.constant(20, SECOND, 4).shifted(SECOND, first.size() % 4, 4);
    ArrivalPlan plan = ArrivalPlan.concat(List.of(first, second));
    assertThat(plan.size()).isEqualTo(30);
    assertThat(plan.countBefore(SECOND)).isEqualTo(10);
    assertThat(plan.offsetsNanos()[10]).isEqualTo(SECOND);
    assertThat(plan.template()[10]).isEqualTo(10 % 4);
    assertThat(plan.offsetsNanos()).isSorted();
  }

  @Test
  void alternatedTargetsEachGetTheSameBodySequence() {
    ArrivalPlan plan = ArrivalPlan.constant(100, SECOND, 7);
    RunLayout layout = RunLayout.single(2, 100, 0, 2);
    ArrivalPlan alternated = plan.alternated(2, layout::targetOf);
    java.util.List<Integer> a = new java.util.ArrayList<>();
    java.util.List<Integer> b = new java.util.ArrayList<>();
    for (int i = 0; i < alternated.size(); i++) {
      (layout.targetOf(i) == 0 ? a : b).add(alternated.template()[i]);
    }
    assertThat(a).hasSize(50).isEqualTo(b);
    assertThat(a.subList(0, 8)).containsExactly(0, 1, 2, 3, 4, 5, 6, 0);
    assertThat(alternated.offsetsNanos()).isEqualTo(plan.offsetsNanos());
  }
}
