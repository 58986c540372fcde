package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workloads drawn from the total-token length distributions of shared/data/cdf. */
class LengthCdfTest {
  static final int SAMPLES = 40_000;

  static Path cdf(String name) {
    return TraceTest.shared().resolve("data/cdf/" + name + "_cdf.json");
  }

  @Test
  void theAgentHeavyMixHasItsQuarterOfRequestsAbove8k() throws Exception {
    // the object form: {"cdf": [...], "source": ...}; 1 - 0.74042 of its totals are above 8,192 tokens
    assertThat(shareAbove(LengthCdf.read(cdf("agent_heavy")), 8192)).isCloseTo(0.2596, within(0.01));
  }

  @Test
  void theAzureMixHasAlmostNothingAbove8k() throws Exception {
    // the bare-array form; 0.0035% above 8K
    assertThat(shareAbove(LengthCdf.read(cdf("azure")), 8192)).isLessThan(0.001);
  }

  @Test
  void samplesFollowTheCdfBetweenItsPoints() throws Exception {
    LengthCdf cdf = LengthCdf.read(cdf("lmsys"));
    int[] totals = draw(cdf, 7);
    Arrays.sort(totals);
    for (double q : new double[] {0.1, 0.5, 0.9, 0.99}) {
      int quantile = totals[(int) (q * totals.length)];
      assertThat(cdf.fractionAtMost(quantile)).as("quantile %s", q).isCloseTo(q, within(0.01));
    }
  }

  @Test
  void noDrawLeavesTheDistributionsRange() throws Exception {
    LengthCdf cdf = LengthCdf.read(cdf("agent_heavy"));
    int[] totals = draw(cdf, 3);
    assertThat(Arrays.stream(totals).min().orElseThrow()).isGreaterThanOrEqualTo(LengthCdf.MIN_TOKENS);
    assertThat(Arrays.stream(totals).max().orElseThrow()).isLessThanOrEqualTo(65536);
  }

  @Test
  void aTraceFromTheCdfHasPoissonArrivalsAtTheRateAndTheStatedOutputShare() throws Exception {
    Trace t = Trace.fromCdf(LengthCdf.read(cdf("agent_heavy")), 20, 600, 0.2, 5);
    long prompt = 0;
    long output = 0;
    for (int i = 0; i < t.size(); i++) {
      assertThat(t.prompt(i)).isPositive();
      assertThat(t.output(i)).isPositive();
      prompt += t.prompt(i);
      output += t.output(i);
    }
    assertThat(t.size() / 600.0).isCloseTo(20, within(0.6));
    assertThat((double) output / (prompt + output)).isCloseTo(0.2, within(0.002));
  }

  @Test
  void sameSeedSameWorkload() throws Exception {
    LengthCdf cdf = LengthCdf.read(cdf("agent_heavy"));
    Trace a = Trace.fromCdf(cdf, 10, 60, 0.2, 9);
    Trace b = Trace.fromCdf(cdf, 10, 60, 0.2, 9);
    assertThat(a.size()).isEqualTo(b.size());
    assertThat(a.prompt(a.size() - 1)).isEqualTo(b.prompt(b.size() - 1));
  }

  @Test
  void aFileThatIsNotACdfIsRefusedWithItsName(@TempDir Path dir) throws Exception {
    Path falling = dir.resolve("falling.json");
    Files.writeString(falling, "[[64, 0.5], [128, 0.4], [256, 1.0]]");
    Path text = dir.resolve("text.json");
    Files.writeString(text, "{\"points\": 3}");
    assertThatThrownBy(() -> LengthCdf.read(falling)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not fall");
    assertThatThrownBy(() -> LengthCdf.read(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text.json");
  }

  private static double shareAbove(LengthCdf cdf, int tokens) {
    long above = Arrays.stream(draw(cdf, 1)).filter(t -> t > tokens).count();
    return (double) above / SAMPLES;
  }

  private static int[] draw(LengthCdf cdf, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] out = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      out[i] = cdf.sample(random);
    }
    return out;
  }
}
