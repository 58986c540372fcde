package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CostModelTest {

  @Test
  void formulaMatchesThePapersWorkedRange() {
    // alpha 0.8 and rho 1.27 are the low end of the paper's implied range: 17% savings
    assertThat(CostModel.savings(0.8, 1.27)).isCloseTo(0.17, within(0.005));
  }

  @Test
  void noThroughputGainMeansNoSavings() {
    assertThat(CostModel.savings(0.9, 1.0)).isZero();
  }

  @Test
  void savingsApproachAlphaAsRhoGrows() {
    assertThat(CostModel.savings(0.7, 1e9)).isCloseTo(0.7, within(1e-6));
  }

  @Test
  void formulaEqualsOneMinusFleetRatioOfTheDerivation() {
    double alpha = 0.85;
    double rho = 1.6;
    double homogeneous = 1.0;
    double routed = alpha / rho + (1 - alpha);
    assertThat(CostModel.savings(alpha, rho)).isCloseTo(1 - routed / homogeneous, within(1e-12));
  }

  @Test
  void misroutesShrinkAlpha() {
    assertThat(CostModel.savingsWithMisroutes(0.8, 1.5, 0.25)).isCloseTo(CostModel.savings(0.6, 1.5), within(1e-12));
  }

  @Test
  void equalUtilisationReducesToTheFormula() {
    assertThat(CostModel.savingsWithUtilisation(0.8, 1.5, 0.7, 0.7, 0.7))
        .isCloseTo(CostModel.savings(0.8, 1.5), within(1e-12));
  }

  @Test
  void runningTheShortPoolHotterSavesMore() {
    double same = CostModel.savingsWithUtilisation(0.8, 1.5, 0.7, 0.7, 0.7);
    double hotter = CostModel.savingsWithUtilisation(0.8, 1.5, 0.7, 0.85, 0.7);
    assertThat(hotter).isGreaterThan(same);
  }

  @Test
  void integerFleetRoundsEachPoolUp() {
    // load of 10 long instances, alpha 0.5, rho 2: 10 homogeneous, 2.5 -> 3 short, 5 long
    CostModel.Fleet fleet = CostModel.integerFleet(10, 0.5, 2, 0, 1, 1, 1);
    assertThat(fleet).isEqualTo(new CostModel.Fleet(10, 3, 5));
  }

  @Test
  void roundingCostsSmallFleetsMoreThanTheFormulaSays() {
    CostModel.Fleet fleet = CostModel.integerFleet(3, 0.8, 1.5, 0, 1, 1, 1);
    assertThat(fleet.savings()).isLessThan(CostModel.savings(0.8, 1.5));
  }

  @Test
  void impliedRhoInvertsTheFormula() {
    assertThat(CostModel.impliedRho(CostModel.savings(0.92, 1.74), 0.92)).isCloseTo(1.74, within(1e-9));
  }

  @Test
  void yearlyCostUsesAllHoursOfTheYear() {
    assertThat(CostModel.yearlyCost(10, 2.0)).isEqualTo(175_200.0);
  }

  @Test
  void alphaOutsideTheUnitIntervalIsRejected() {
    assertThatThrownBy(() -> CostModel.savings(1.2, 2)).isInstanceOf(IllegalArgumentException.class);
  }
}
