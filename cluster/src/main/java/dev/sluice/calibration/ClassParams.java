package dev.sluice.calibration;

/**
 * Tuning of the byte-class regression. Bounds, outlier rejection, gamma, the warm-up count and the
 * sample weights are the ratio calibration's ({@link CalibrationParams}), so each is set in one place.
 *
 * @param shared          the ratio calibration's parameters, whose bounds and weights apply here too
 * @param decay           per-sample decay of the moments (0.995: an effective window of ~200 samples; a
 *                        model's one regression sees all of its traffic, so it can afford a longer window
 *                        than a per-category ratio)
 * @param priorKilobytes  strength of the prior weights: as many pseudo-requests of one kilobyte, each
 *                        holding {@link ByteClass#scale()} of one class, as this value. Classes a model
 *                        has never seen keep their prior; seen ones leave it within tens of samples
 * @param priorSpread     relative spread assumed before the samples say otherwise, and the pull on the
 *                        spread of one pseudo-sample
 * @param minWeight       lower bound of a learned weight, tokens per count
 * @param maxWeight       upper bound of a learned weight
 * @param floorBytesPerToken an estimate never has fewer tokens than the text's bytes divided by this. The
 *                        classes count pieces, and a piece longer than a word is many tokens: a letter
 *                        repeated 8,000 times is 1,000 tokens in cl100k and o200k, one piece to the classes.
 *                        Text has 3 to 5 bytes per token (docs/estimator.md), so the floor does not touch it
 */
public record ClassParams(CalibrationParams shared, double decay, double priorKilobytes, double priorSpread,
    double minWeight, double maxWeight, double floorBytesPerToken) {

  public static final double DEFAULT_DECAY = 0.995;
  public static final double DEFAULT_PRIOR_KILOBYTES = 4;
  public static final double DEFAULT_PRIOR_SPREAD = 0.15;
  public static final double DEFAULT_MIN_WEIGHT = -2;
  public static final double DEFAULT_MAX_WEIGHT = 4;
  public static final double DEFAULT_FLOOR_BYTES_PER_TOKEN = 8;

  public ClassParams {
    if (shared == null) {
      throw new IllegalArgumentException("class calibration needs the shared calibration parameters");
    }
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("class calibration decay must be in (0, 1), got " + decay);
    }
    if (!(priorKilobytes > 0) || !(priorSpread >= 0) || !(minWeight < maxWeight) || !(floorBytesPerToken > 0)) {
      throw new IllegalArgumentException("class calibration needs priorKilobytes > 0, priorSpread >= 0, "
          + "minWeight < maxWeight and floorBytesPerToken > 0");
    }
  }

  public static ClassParams defaults() {
    return of(CalibrationParams.defaults());
  }

  /** The class defaults over these shared parameters. */
  public static ClassParams of(CalibrationParams shared) {
    return new ClassParams(shared, DEFAULT_DECAY, DEFAULT_PRIOR_KILOBYTES, DEFAULT_PRIOR_SPREAD, DEFAULT_MIN_WEIGHT,
        DEFAULT_MAX_WEIGHT, DEFAULT_FLOOR_BYTES_PER_TOKEN);
  }

  /** These parameters with another decay. */
  public ClassParams withDecay(double value) {
    return new ClassParams(shared, value, priorKilobytes, priorSpread, minWeight, maxWeight, floorBytesPerToken);
  }

  /** These parameters with another prior strength. */
  public ClassParams withPriorKilobytes(double value) {
    return new ClassParams(shared, decay, value, priorSpread, minWeight, maxWeight, floorBytesPerToken);
  }
}
