package dev.sluice.dispatcher.rate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CellRateTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  /** A start far from zero and negative, as System.nanoTime may be. */
  private static final long T0 = -5_000_000_000_000L;

  private static int admitted(CellRate gate, long at, int asks) {
    int n = 0;
    for (int i = 0; i < asks; i++) {
      if (gate.tryTake(1, at) == 0) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aSecondsWorthGoesThroughAtOnceThenOneEveryInterval() {
    CellRate gate = new CellRate(1_000, SECOND, T0);

    assertThat(admitted(gate, T0, 5_000)).isEqualTo(1_000);
    assertThat(admitted(gate, T0 + MS / 2, 10)).isZero();
    assertThat(admitted(gate, T0 + MS, 10)).isEqualTo(1);
    assertThat(admitted(gate, T0 + 10 * MS, 100)).isEqualTo(9);
  }

  @Test
  void aSteadyFloodIsLearnedFromAtTheRate() {
    CellRate gate = new CellRate(1_000, SECOND, T0);
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
    CellRate gate = new CellRate(1_000, SECOND, T0);
    int learned = 0;
    for (long ms = 0; ms < 60_000; ms += 2) {
      learned += admitted(gate, T0 + ms * MS, 1);
    }
    assertThat(learned).isEqualTo(30_000);
  }

  @Test
  void anIdleGateRefillsToOneSecondsWorthAndNoMore() {
    CellRate gate = new CellRate(100, SECOND, T0);
    assertThat(admitted(gate, T0, 1_000)).isEqualTo(100);

    assertThat(admitted(gate, T0 + 60_000 * MS, 1_000)).isEqualTo(100);
  }

  @Test
  void zeroAllowsEveryTake() {
    CellRate gate = new CellRate(0, SECOND, T0);

    assertThat(admitted(gate, T0, 100_000)).isEqualTo(100_000);
  }

  @Test
  void aRefusalSaysWhenToAskAgainAndCorrectionsMoveTheUse() {
    CellRate perMinute = new CellRate(60, 60 * SECOND, T0);
    assertThat(perMinute.tryTake(60, T0)).isZero();
    assertThat(perMinute.used(T0)).isEqualTo(60);
    // a unit wears off every second
    assertThat(perMinute.tryTake(1, T0)).isEqualTo(SECOND);
    assertThat(perMinute.tryTake(1, T0 + SECOND)).isZero();

    perMinute.add(-30);
    assertThat(perMinute.used(T0 + SECOND)).isEqualTo(30);
    perMinute.add(90);
    assertThat(perMinute.used(T0 + SECOND)).isEqualTo(120);
    assertThat(perMinute.perWindow()).isEqualTo(60);
  }
}
