package dev.sluice.calibration;

/** What a calibration is learned for: one model, one content category. */
public record CalibrationKey(String model, String category) {
}
