package dev.sluice.dispatcher.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.calibration.NodeCalibration;
import dev.sluice.dispatcher.scan.RequestFacts;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class CalibratingEstimatorTest {

  private static final String JSON = "{\"code\": \"FR-75\", \"name\": \"Paris\", \"type\": \"Metropolitan department\"}";

  private final NodeCalibration calibration = NodeCalibration.of(CalibrationParams.defaults());
  private final CalibrationTable table = calibration.ratios();
  /** Routing on the per-category ratios; the byte-class estimator has its own test. */
  private final CalibratingEstimator estimator = new CalibratingEstimator(calibration,
      CalibratingEstimator.Model.RATIOS, CalibratingEstimator.DEFAULT_IMAGE_TOKENS, null);

  private static RequestFacts jsonFacts(long bytes) {
    return Texts.facts("m", bytes, JSON, 100, false, false);
  }

  @Test
  void routesOnTheConservativeRatioAndReportsTheMeanBeside() {
    Budget b = estimator.estimate(jsonFacts(30_000), null, 256);
    assertThat(b.category()).isEqualTo("json");
    assertThat(b.promptRouting()).isGreaterThan(b.promptEstimate());
    assertThat(b.total()).isEqualTo(b.promptRouting() + 100);
    assertThat(b.calibrated()).isFalse();
  }

  @Test
  void usesTheDefaultReserveWithoutMaxTokens() {
    Budget b = estimator.estimate(Texts.facts("m", 400, JSON, -1, false, false), null, 256);
    assertThat(b.outputReserve()).isEqualTo(256);
  }

  @Test
  void overrideBeatsTheClassifier() {
    assertThat(estimator.estimate(jsonFacts(3000), "code", 0).category()).isEqualTo("code");
    assertThat(estimator.estimate(jsonFacts(3000), "no-such-category", 0).category()).isEqualTo("json");
  }

  @Test
  void aFloodOfSamplesIsAllMeasuredButLearnedFromAtTheNodesRate() {
    NodeCalibration node = NodeCalibration.of(CalibrationParams.defaults());
    int[] measured = new int[1];
    CalibratingEstimator gated = new CalibratingEstimator(node, CalibratingEstimator.Model.CLASSES,
        CalibratingEstimator.DEFAULT_IMAGE_TOKENS, (budget, actual) -> measured[0]++);
    NodeCalibration everyOne = NodeCalibration.of(CalibrationParams.defaults());
    CalibratingEstimator ungated = new CalibratingEstimator(everyOne, CalibratingEstimator.Model.CLASSES,
        CalibratingEstimator.DEFAULT_IMAGE_TOKENS, null, 0);
    Budget b = gated.estimate(jsonFacts(3000), null, 0);
    int flood = 3 * CalibratingEstimator.LEARNED_PER_SECOND;

    for (int i = 0; i < flood; i++) {
      int tokens = 1000 + i % 7;
      gated.observe(b, tokens);
      ungated.observe(b, tokens);
    }

    assertThat(measured[0]).isEqualTo(flood);
    assertThat(everyOne.classes().view("m").samples()).isEqualTo(flood);
    // a second's worth at once, plus one a millisecond for as long as the loop took
    assertThat(node.classes().view("m").samples()).isBetween((long) CalibratingEstimator.LEARNED_PER_SECOND,
        (long) flood - 1);
    assertThat(node.classes().view("m").calibrated()).isTrue();
  }

  @Test
  void imageRequestsAreEstimatedButDoNotFeedTheTextRatio() {
    Budget b = estimator.estimate(Texts.facts("m", 400, JSON, 10, true, false), null, 0);
    assertThat(b.feedsCalibration()).isFalse();
    assertThat(b.promptEstimate()).isGreaterThanOrEqualTo(CalibratingEstimator.DEFAULT_IMAGE_TOKENS);
    for (int i = 0; i < 50; i++) {
      estimator.observe(b, 2000);
    }
    assertThat(table.entries()).allSatisfy(e -> assertThat(e.samples()).isZero());
    assertThat(calibration.classes().view("m").samples()).isZero();
  }

  /**
   * The loop the dispatcher runs: estimate, route, observe the upstream's count. The learned ratio must
   * converge to the true one; feeding back any estimate instead of the raw byte count would not.
   */
  @Test
  void convergesToTheTrueRatioThroughTheRequestLoop() {
    double trueRatio = 3.1;
    Random rnd = new Random(4);
    for (int i = 0; i < 300; i++) {
      long bytes = 200 + rnd.nextInt(8000);
      Budget b = estimator.estimate(jsonFacts(bytes), null, 0);
      estimator.observe(b, (int) Math.round(10 + b.textBytes() / trueRatio));
    }
    assertThat(table.view("m", ContentCategory.JSON).bytesPerToken()).isCloseTo(trueRatio, Percentage.withPercentage(1));
  }

  @Test
  void learnsFromTheRawByteCountNotFromTheEstimateInTheBudget() {
    Random rnd = new Random(5);
    for (int i = 0; i < 300; i++) {
      long bytes = 1000 + rnd.nextInt(4000);
      Budget honest = estimator.estimate(jsonFacts(bytes), null, 0);
      // a budget whose estimates are wildly off must not matter: only textBytes and the actual count do
      Budget skewed = new Budget(honest.model(), honest.category(), honest.textBytes(), honest.counts(),
          honest.promptEstimate() * 3, honest.promptLow() * 2, honest.promptRouting() * 5, 0, honest.calibrated(),
          true, EstimateSource.CALIBRATED);
      estimator.observe(skewed, (int) Math.round(10 + honest.textBytes() / 3.4));
    }
    assertThat(table.view("m", ContentCategory.JSON).bytesPerToken()).isCloseTo(3.4, Percentage.withPercentage(1));
  }

  @Test
  void listenerSeesEverySample() {
    List<Integer> seen = new java.util.ArrayList<>();
    CalibratingEstimator e = new CalibratingEstimator(calibration, CalibratingEstimator.Model.RATIOS, 0,
        (b, actual) -> seen.add(actual));
    e.observe(e.estimate(jsonFacts(3000), null, 0), 1000);
    assertThat(seen).containsExactly(1000);
  }
}
