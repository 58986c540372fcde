package dev.sluice.calibration;

import java.util.Map;

/**
 * Everything one node publishes, merges and saves of its calibration: the per-category ratios and each
 * model's byte-class regression.
 *
 * @param ratios  per (model, category): the ratio calibration
 * @param classes per model: the byte-class regression's normal equations
 */
public record CalibrationState(Map<CalibrationKey, KeyStats> ratios, Map<String, ClassStats> classes) {

  public static final CalibrationState EMPTY = new CalibrationState(Map.of(), Map.of());

  public CalibrationState {
    ratios = Map.copyOf(ratios);
    classes = Map.copyOf(classes);
  }

  /** Ratios only (a state written before the byte-class regression existed). */
  public static CalibrationState ofRatios(Map<CalibrationKey, KeyStats> ratios) {
    return new CalibrationState(ratios, Map.of());
  }

  /** Keys of both parts. */
  public int size() {
    return ratios.size() + classes.size();
  }
}
