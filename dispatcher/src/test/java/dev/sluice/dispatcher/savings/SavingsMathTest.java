package dev.sluice.dispatcher.savings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SavingsMathTest {
  private static final long S = 1_000_000_000L;

  @Test
  void projectedSavingsIsAlphaTimesOneMinusInverseRho() {
    assertThat(SavingsMath.projectedSavings(0.9, 1.6)).isCloseTo(0.9 * (1 - 1 / 1.6), within(1e-12));
  }

  @Test
  void noGainMeansNoSaving() {
    assertThat(SavingsMath.projectedSavings(0.9, 0.8)).isEqualTo(0.0);
  }

  @Test
  void unknownRhoGivesUnknownSavings() {
    assertThat(SavingsMath.projectedSavings(0.9, Double.NaN)).isNaN();
  }

  @Test
  void rhoIsTheRatioOfSaturatedRatesPerInstance() {
    TokenRate shortA = saturated(1400, 6);
    TokenRate shortB = saturated(1200, 6);
    TokenRate longA = saturated(800, 6);
    double rho = SavingsMath.rho(SavingsMath.saturatedRatePerInstance(List.of(shortA, shortB)),
        SavingsMath.saturatedRatePerInstance(List.of(longA)));
    assertThat(rho).isCloseTo(1300.0 / 800.0, within(1e-9));
  }

  @Test
  void tooLittleSaturatedTimeGivesNoMeasuredRate() {
    assertThat(SavingsMath.saturatedRatePerInstance(List.of(saturated(1000, 2)))).isNaN();
  }

  @Test
  void plannedValueStandsInForAMissingMeasurement() {
    assertThat(SavingsMath.orPlanned(Double.NaN, 1.5)).isEqualTo(1.5);
    assertThat(SavingsMath.orPlanned(1.7, 1.5)).isEqualTo(1.7);
  }

  /** An endpoint saturated for {@code seconds} one-second intervals at {@code perSecond} tokens/s. */
  private static TokenRate saturated(double perSecond, int seconds) {
    TokenRate r = new TokenRate(60);
    for (int i = 0; i <= seconds; i++) {
      r.observe(i * perSecond, i * S, true);
    }
    return r;
  }
}
