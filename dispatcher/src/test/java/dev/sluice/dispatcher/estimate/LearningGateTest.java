package dev.sluice.dispatcher.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LearningGateTest {
  private static final long MS = 1_000_000L;
  /** A start far from zero and negative, as System.nanoTime may be. */
  private static final long T0 = -5_000_000_000_000L;

  private static int admitted(LearningGate gate, long at, int asks) {
    int n = 0;
    for (int i = 0; i < asks; i++) {
      if (gate.admit(at)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aSecondsWorthGoesThroughAtOnceThenOneEveryInterval() {
    LearningGate gate = new LearningGate(1_000, T0);

    assertThat(admitted(gate, T0, 5_000)).isEqualTo(1_000);
    assertThat(admitted(gate, T0 + MS / 2, 10)).isZero();
    assertThat(admitted(gate, T0 + MS, 10)).isEqualTo(1);
    assertThat(admitted(gate, T0 + 10 * MS, 100)).isEqualTo(9);
  }

  @Test
  void aSteadyFloodIsLearnedFromAtTheRate() {
    LearningGate gate = new LearningGate(1_000, T0);
    int learned = 0;
    // 20 answers a millisecond for ten seconds: 200,000 samples
    for (long ms = 0; ms < 10_000; ms++) {
      learned += admitted(gate, T0 + ms * MS, 20);
    }
    // the first second's burst, then one a millisecond
    assertThat(learned).isBetween(10_990, 11_000);
  }

  @Test
  void belowTheRateEverySampleIsLearnedFrom() {
    LearningGate gate = new LearningGate(1_000, T0);
    int learned = 0;
    for (long ms = 0; ms < 60_000; ms += 2) {
      learned += admitted(gate, T0 + ms * MS, 1);
    }
    assertThat(learned).isEqualTo(30_000);
  }

  @Test
  void anIdleGateRefillsToOneSecondsWorthAndNoMore() {
    LearningGate gate = new LearningGate(100, T0);
    assertThat(admitted(gate, T0, 1_000)).isEqualTo(100);

    assertThat(admitted(gate, T0 + 60_000 * MS, 1_000)).isEqualTo(100);
  }

  @Test
  void zeroLearnsFromEverySample() {
    LearningGate gate = new LearningGate(0, T0);

    assertThat(admitted(gate, T0, 100_000)).isEqualTo(100_000);
  }
}
