package dev.sluice.calibration;

/**
 * What routing reads of one model's byte-class regression: immutable, solved when samples or cluster
 * state arrive, so that an estimate is one pass over the fixed list of classes (a multiply-add each,
 * no allocation, whatever the number of models).
 *
 * <p>The band around the unbiased estimate {@code t} is {@code t · (1 ± gamma · spread)}: routing uses
 * its upper edge (conservative), and a pool threshold that lies inside it is worth an exact count.
 */
public final class ClassView {
  private final double[] theta;
  private final double spread;
  private final double gamma;
  private final long samples;
  private final boolean calibrated;
  private final double minBytesPerToken;
  private final double floorBytesPerToken;
  private final double maxInterceptTokens;

  ClassView(double[] theta, double spread, long samples, boolean calibrated, ClassParams params) {
    CalibrationParams p = params.shared();
    this.theta = theta;
    this.spread = spread;
    this.gamma = p.gamma();
    this.samples = samples;
    this.calibrated = calibrated;
    this.minBytesPerToken = p.minBytesPerToken();
    this.floorBytesPerToken = params.floorBytesPerToken();
    this.maxInterceptTokens = p.maxInterceptTokens();
  }

  /** The weights, shared with a view built over them again (never written). */
  double[] theta() {
    return theta;
  }

  /**
   * Unbiased prompt tokens of a text with these counts: the intercept plus each class's weight times its
   * count, at least the text's bytes over {@link ClassParams#floorBytesPerToken()} and at most what they can
   * plausibly be.
   */
  public double tokens(ClassCounts counts, long textBytes) {
    ByteClass[] all = ByteClass.all();
    double t = theta[0];
    for (int i = 0; i < all.length; i++) {
      t += theta[i + 1] * counts.count(all[i]);
    }
    double low = Math.max(1, textBytes / floorBytesPerToken);
    double high = maxInterceptTokens + textBytes / minBytesPerToken;
    return Math.max(low, Math.min(high, t));
  }

  /** The conservative (upper) edge of the band around {@code tokens}. */
  public double upper(double tokens) {
    return tokens * (1 + gamma * spread);
  }

  /** The optimistic (lower) edge of the band around {@code tokens}. */
  public double lower(double tokens) {
    return tokens * Math.max(0, 1 - gamma * spread);
  }

  /** Fixed tokens per request (the chat template). */
  public double interceptTokens() {
    return theta[0];
  }

  /** The learned tokens per count of {@code c}. */
  public double weight(ByteClass c) {
    return theta[c.ordinal() + 1];
  }

  /** Decayed mean relative error of the estimate, for the band. */
  public double spread() {
    return spread;
  }

  /** Samples behind the values (local plus cluster). */
  public long samples() {
    return samples;
  }

  /** Whether enough samples stand behind the values (else they are mostly the prior). */
  public boolean calibrated() {
    return calibrated;
  }

  /** Ceiling as an int, saturating. */
  public static int ceil(double tokens) {
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(tokens));
  }
}
