package dev.sluice.calibration;

import java.util.Arrays;
import java.util.Collection;

/**
 * What one node has learned of a model's byte-class regression, in the form that is published, merged
 * and saved: the decayed normal equations themselves, not the weights solved from them.
 *
 * <p>Sharing the equations makes the cluster's fit exact: the sum of every node's equations is the
 * equations of all their samples together, so a node that only ever saw Japanese and one that only saw
 * code merge into a fit that knows both, where averaging their weights would halve each. Carrying a
 * departed node forward scales its equations down, which lowers its say in the sum.
 *
 * @param samples   samples observed (a count, for display and the warm-up rule)
 * @param weight    decayed sample count, which saturates near 1/(1 - decay)
 * @param moments   the upper triangle of Σ w·x·xᵀ row by row, then Σ w·x·y, over x = (1, counts...)
 * @param devSum    decayed sum of the weighted relative errors behind the spread
 * @param devWeight decayed sum of their weights
 */
public record ClassStats(long samples, double weight, double[] moments, double devSum, double devWeight) {

  public ClassStats {
    if (moments == null || moments.length != length()) {
      throw new IllegalArgumentException("class moments need " + length() + " values");
    }
    moments = moments.clone();
  }

  /** Entries of x: the intercept and one per class. */
  public static int dimension() {
    return ByteClass.count() + 1;
  }

  /** Values in {@link #moments()}: the triangle, then the right-hand side. */
  public static int length() {
    int d = dimension();
    return d * (d + 1) / 2 + d;
  }

  /** Index of (i, j), i ≤ j, in the triangle. */
  static int at(int i, int j) {
    int d = dimension();
    return i * d - i * (i - 1) / 2 + (j - i);
  }

  /** Index of the square of entry i, (i, i), in {@link #moments()}. */
  public static int diagonal(int i) {
    return at(i, i);
  }

  /** Index of entry i of the right-hand side. */
  static int rhs(int i) {
    int d = dimension();
    return d * (d + 1) / 2 + i;
  }

  @Override
  public double[] moments() {
    return moments.clone();
  }

  /** The moments without a copy, for the math in this package. */
  double[] raw() {
    return moments;
  }

  /** The sum of the parts; null when there are none. */
  public static ClassStats merge(Collection<ClassStats> parts) {
    if (parts.isEmpty()) {
      return null;
    }
    long samples = 0;
    double weight = 0;
    double devSum = 0;
    double devWeight = 0;
    double[] sum = new double[length()];
    for (ClassStats p : parts) {
      samples += p.samples;
      weight += p.weight;
      devSum += p.devSum;
      devWeight += p.devWeight;
      for (int i = 0; i < sum.length; i++) {
        sum[i] += p.moments[i];
      }
    }
    return new ClassStats(samples, weight, sum, devSum, devWeight);
  }

  /** The same knowledge with its say scaled by {@code factor} (0..1). */
  public ClassStats decayed(double factor) {
    double[] m = moments.clone();
    for (int i = 0; i < m.length; i++) {
      m[i] *= factor;
    }
    return new ClassStats(samples, weight * factor, m, devSum * factor, devWeight * factor);
  }

  /** JSON has no NaN or infinity, and a weightless state carries nothing. */
  public boolean publishable() {
    if (!(weight > 0) || !Double.isFinite(weight) || !Double.isFinite(devSum) || !Double.isFinite(devWeight)) {
      return false;
    }
    for (double v : moments) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClassStats s && samples == s.samples && weight == s.weight && devSum == s.devSum
        && devWeight == s.devWeight && Arrays.equals(moments, s.moments);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(samples) * 31 + Arrays.hashCode(moments);
  }

  @Override
  public String toString() {
    return "ClassStats[samples=" + samples + ", weight=" + weight + ", devSum=" + devSum + ", devWeight=" + devWeight
        + "]";
  }
}
