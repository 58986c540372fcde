package dev.sluice.calibration;

/** One row of the calibration as shown to operators ({@code GET /admin/calibration}). */
public record CalibrationEntry(String model, String category, double bytesPerToken, double conservativeBytesPerToken,
    double interceptTokens, long samples, String source) {

  public static final String SOURCE_PRIOR = "prior";
  public static final String SOURCE_CALIBRATED = "calibrated";
}
