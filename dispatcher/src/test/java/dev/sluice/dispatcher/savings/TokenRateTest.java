package dev.sluice.dispatcher.savings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenRateTest {
  private static final long S = 1_000_000_000L;

  @Test
  void rateIsCounterDeltaOverElapsedTime() {
    TokenRate r = new TokenRate(10);
    r.observe(100, 0, false);
    r.observe(300, 2 * S, false);
    r.observe(400, 4 * S, false);
    assertThat(r.perSecond()).isCloseTo(75.0, within(1e-9));
  }

  @Test
  void repeatedSnapshotIsNotCountedTwice() {
    TokenRate r = new TokenRate(10);
    r.observe(0, 0, false);
    r.observe(100, S, false);
    r.observe(100, S, false);
    assertThat(r.seconds()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void counterResetDropsThatInterval() {
    TokenRate r = new TokenRate(10);
    r.observe(1000, 0, false);
    r.observe(50, S, false);
    r.observe(150, 2 * S, false);
    assertThat(r.tokens()).isEqualTo(100.0);
  }

  @Test
  void onlyIntervalsWaitingAtBothEndsAreSaturated() {
    TokenRate r = new TokenRate(10);
    r.observe(0, 0, false);
    r.observe(100, S, true);
    r.observe(400, 2 * S, true);
    r.observe(500, 3 * S, false);
    assertThat(r.saturatedTokens()).isEqualTo(300.0);
    assertThat(r.saturatedSeconds()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void windowKeepsTheLastIntervals() {
    TokenRate r = new TokenRate(2);
    r.observe(0, 0, false);
    r.observe(1000, S, false);
    r.observe(1010, 2 * S, false);
    r.observe(1020, 3 * S, false);
    assertThat(r.perSecond()).isCloseTo(10.0, within(1e-9));
  }
}
