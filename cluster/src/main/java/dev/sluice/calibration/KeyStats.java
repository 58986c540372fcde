package dev.sluice.calibration;

import java.util.Collection;

/**
 * The learned calibration of one key, in a form that can be published and merged across nodes.
 *
 * @param samples         samples observed (a count, for display and warm-up rules)
 * @param weight          effective weight for merging (decays when a node's state is carried forward)
 * @param bytesPerToken   mean bytes per token of the text, after the intercept is taken off
 * @param interceptTokens fixed tokens per request the template adds (BOS, role headers)
 * @param spread          mean absolute deviation of the observed ratio around the mean
 */
public record KeyStats(long samples, double weight, double bytesPerToken, double interceptTokens, double spread) {

  /** Weighted merge; an empty collection merges to null. */
  public static KeyStats merge(Collection<KeyStats> parts) {
    long samples = 0;
    double w = 0, ratio = 0, intercept = 0, spread = 0;
    for (KeyStats p : parts) {
      samples += p.samples;
      w += p.weight;
      ratio += p.weight * p.bytesPerToken;
      intercept += p.weight * p.interceptTokens;
      spread += p.weight * p.spread;
    }
    if (w <= 0) {
      return null;
    }
    return new KeyStats(samples, w, ratio / w, intercept / w, spread / w);
  }

  /** The same knowledge with its weight scaled by {@code factor} (0..1). */
  public KeyStats decayed(double factor) {
    return new KeyStats(samples, weight * factor, bytesPerToken, interceptTokens, spread);
  }
}
