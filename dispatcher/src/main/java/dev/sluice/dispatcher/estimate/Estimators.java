package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.NodeCalibration;
import io.micrometer.core.instrument.MeterRegistry;

/** Where a node's {@link Estimator} comes from: the calibrating one, with its meters. */
public final class Estimators {
  private Estimators() {
  }

  /** A calibrating estimator over a fresh calibration, routing on {@code model}, its meters on {@code registry}. */
  public static CalibratingEstimator calibrating(CalibrationParams params, CalibratingEstimator.Model model,
      MeterRegistry registry) {
    NodeCalibration calibration = NodeCalibration.of(params);
    return new CalibratingEstimator(calibration, model, CalibratingEstimator.DEFAULT_IMAGE_TOKENS,
        CalibrationMetrics.register(registry, calibration));
  }
}
