package dev.sluice.calibration;

/**
 * The local learning state of one key: exponentially decayed moments of (text bytes x, prompt tokens y),
 * immutable so it can be swapped with a compare-and-set.
 *
 * <p><b>Model.</b> {@code y = a + x / r}: {@code a} tokens of template per request, {@code r} bytes per
 * text token. The fit is a weighted least-squares line through the decayed samples:
 * <ul>
 *   <li>Weights {@code 1/(x + sizeOffset)}. Token counts of a text behave roughly like a sum of
 *       independent pieces, so their variance grows with the length; these weights make every sample
 *       count by its relative error, which is what routing cares about, and stop a few long prompts
 *       from deciding the line alone.</li>
 *   <li>A ridge term pulls {@code a} towards the prior intercept with the weight of
 *       {@code interceptPriorWeight} empty prompts. When prompts vary in size the data decide the
 *       intercept (short MT-Bench-like prompts pin it quickly); when every prompt is the same size the
 *       intercept is not identifiable and stays at the prior, instead of swinging wildly as a plain
 *       regression would. This is cheaper and steadier than a robust (median-based) line, which would
 *       need a sample window, and keeps the state a handful of doubles that can be merged.</li>
 *   <li>Decay {@code beta} per sample. The moments are normalised by their total weight, so the first
 *       samples give (nearly) a running mean and later ones an EMA with the configured window.</li>
 * </ul>
 * The spread is a decayed mean absolute deviation of the sample's implied ratio around the fit before
 * the sample, weighted by {@code x/(x + spreadHalf)}: short prompts say little about the margin needed
 * near routing thresholds, which are thousands of tokens long.
 *
 * @param samples   accepted samples (restored ones included)
 * @param seq       bumped on every change; orders competing views of the same key
 * @param n         decayed count, sum of beta^age (the merge weight)
 * @param s         sum of w
 * @param sx        sum of w x
 * @param sy        sum of w y
 * @param sxx       sum of w x^2
 * @param sxy       sum of w x y
 * @param devSum    sum of u |deviation|
 * @param devWeight sum of u
 */
public record KeyMoments(long samples, long seq, double n, double s, double sx, double sy, double sxx, double sxy,
    double devSum, double devWeight) {

  public static final KeyMoments EMPTY = new KeyMoments(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Outcome of offering one sample. */
  public enum Verdict { ACCEPTED, OUT_OF_BOUNDS, OUTLIER, NOT_TRACKED }

  /** The fitted line: intercept tokens and bytes per text token. */
  public record Fit(double interceptTokens, double bytesPerToken) {
    public double tokens(double bytes) {
      return interceptTokens + bytes / bytesPerToken;
    }
  }

  /**
   * Whether {@code y} tokens for {@code x} bytes is possible at all: a ratio inside the bounds once the
   * largest allowed template overhead is granted.
   */
  public static boolean plausible(double x, double y, CalibrationParams p) {
    return x >= 0 && y >= 1 && y >= x / p.maxBytesPerToken() && y <= p.maxInterceptTokens() + x / p.minBytesPerToken();
  }

  /** These moments with one more sample; call {@link #plausible} first. */
  public KeyMoments plus(double x, double y, CategoryPrior prior, CalibrationParams p) {
    double beta = p.decay();
    double dev = 0;
    double u = 0;
    if (samples > 0) {
      Fit f = fit(prior, p);
      double predictedText = x / f.bytesPerToken();
      if (predictedText > 0) {
        double relative = Math.min(1.0, Math.abs((y - f.interceptTokens()) - predictedText) / predictedText);
        dev = relative * f.bytesPerToken();
        u = x / (x + p.spreadHalfBytes());
      }
    }
    double w = 1.0 / (x + p.sizeOffsetBytes());
    return new KeyMoments(samples + 1, seq + 1, beta * n + 1, beta * s + w, beta * sx + w * x, beta * sy + w * y,
        beta * sxx + w * x * x, beta * sxy + w * x * y, beta * devSum + u * dev, beta * devWeight + u);
  }

  /** The fitted line; the prior's when there is nothing to fit. */
  public Fit fit(CategoryPrior prior, CalibrationParams p) {
    if (samples == 0 || s <= 0) {
      return new Fit(prior.interceptTokens(), prior.bytesPerToken());
    }
    double a0 = prior.interceptTokens();
    double lambda = p.interceptPriorWeight() / p.sizeOffsetBytes();
    double s1 = s + lambda;
    double sy1 = sy + lambda * a0;
    double det = s1 * sxx - sx * sx;
    double a;
    double b;
    if (det > 1e-12 * s1 * sxx && sxx > 0) {
      a = (sy1 * sxx - sx * sxy) / det;
      b = (s1 * sxy - sx * sy1) / det;
    } else {
      a = a0;
      b = sxx > 0 ? (sxy - a * sx) / sxx : 1.0 / prior.bytesPerToken();
    }
    if (a < 0 || a > p.maxInterceptTokens()) {
      a = Math.max(0, Math.min(p.maxInterceptTokens(), a));
      b = sxx > 0 ? (sxy - a * sx) / sxx : b;
    }
    double r = b > 0 ? 1.0 / b : p.maxBytesPerToken();
    r = Math.max(p.minBytesPerToken(), Math.min(p.maxBytesPerToken(), r));
    return new Fit(a, r);
  }

  /** The decayed mean absolute deviation of the ratio; the prior's until there is one. */
  public double spread(CategoryPrior prior) {
    return devWeight > 1e-9 ? devSum / devWeight : prior.spread();
  }

  /** The publishable form; null when nothing has been learned. */
  public KeyStats toStats(CategoryPrior prior, CalibrationParams p) {
    if (samples == 0) {
      return null;
    }
    Fit f = fit(prior, p);
    return new KeyStats(samples, n, f.bytesPerToken(), f.interceptTokens(), spread(prior));
  }

  /**
   * Moments that fit to {@code stats}: two pseudo-samples at a short and a long prompt carrying its
   * weight, so the intercept survives a restart and new samples refine rather than replace it.
   */
  public static KeyMoments fromStats(KeyStats stats, long seq, CalibrationParams p) {
    if (stats == null || stats.samples() <= 0 || !(stats.weight() > 0) || !(stats.bytesPerToken() > 0)) {
      return new KeyMoments(0, seq, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    double half = stats.weight() / 2;
    double s = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (double x : new double[] {SEED_SHORT_BYTES, SEED_LONG_BYTES}) {
      double w = half / (x + p.sizeOffsetBytes());
      double y = stats.interceptTokens() + x / stats.bytesPerToken();
      s += w;
      sx += w * x;
      sy += w * y;
      sxx += w * x * x;
      sxy += w * x * y;
    }
    double u = stats.weight() * 0.5;
    return new KeyMoments(stats.samples(), seq, stats.weight(), s, sx, sy, sxx, sxy, u * stats.spread(), u);
  }

  private static final double SEED_SHORT_BYTES = 128;
  private static final double SEED_LONG_BYTES = 4096;
}
