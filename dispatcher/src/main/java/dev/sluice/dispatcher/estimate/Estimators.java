package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.CalibrationTable;
import io.micrometer.core.instrument.MeterRegistry;

/** Where a node's {@link Estimator} comes from: the calibrating one, with its meters. */
public final class Estimators {
  private Estimators() {
  }

  /** A calibrating estimator over a fresh table, its meters registered on {@code registry}. */
  public static CalibratingEstimator calibrating(CalibrationParams params, MeterRegistry registry) {
    CalibrationTable table = new CalibrationTable(params);
    return new CalibratingEstimator(table, CalibratingEstimator.DEFAULT_IMAGE_TOKENS,
        CalibrationMetrics.register(registry, table));
  }
}
