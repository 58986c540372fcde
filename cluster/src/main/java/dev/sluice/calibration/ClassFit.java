package dev.sluice.calibration;

/**
 * Solves the byte-class regression from decayed normal equations: ridge regression towards the prior
 * weights, {@code (G + Λ) θ = b + Λ θ0}, with {@code Λ} diagonal. The prior is never decayed: a class no
 * sample has shown keeps its prior weight, and the first requests of a model are estimated sanely.
 *
 * <p>The system is small (one row per class plus the intercept) and positive definite thanks to
 * {@code Λ}; it is scaled to a unit diagonal and solved by Cholesky, a few hundred multiply-adds.
 */
final class ClassFit {
  private final ClassParams params;
  /** The prior's precision per entry of θ. */
  private final double[] lambda;
  /** The prior weights θ0. */
  private final double[] prior;

  ClassFit(ClassParams params) {
    this.params = params;
    int d = ClassStats.dimension();
    CalibrationParams p = params.shared();
    lambda = new double[d];
    prior = new double[d];
    // The intercept: interceptPriorWeight empty prompts, as in the ratio calibration. With the template
    // tokens of one message (STRINGS) it makes the ratio calibration's prior of one user turn.
    lambda[0] = p.interceptPriorWeight() / p.sizeOffsetBytes();
    prior[0] = CalibrationParams.DEFAULT_INTERCEPT_TOKENS - ByteClass.STRINGS.priorWeight();
    double kilobyteWeight = 1.0 / (1024 + p.sizeOffsetBytes());
    for (ByteClass c : ByteClass.all()) {
      lambda[c.ordinal() + 1] = params.priorKilobytes() * c.scale() * c.scale() * kilobyteWeight;
      prior[c.ordinal() + 1] = c.priorWeight();
    }
  }

  ClassParams params() {
    return params;
  }

  /** The prior weights, intercept first (a fresh copy). */
  double[] prior() {
    return prior.clone();
  }

  /**
   * θ from the sum of the given moments (either may be null) and the prior, within the bounds.
   * {@code work} is scratch space of d·d doubles.
   */
  double[] solve(double[] local, double[] cluster, double[] work) {
    int d = ClassStats.dimension();
    double[] rhs = new double[d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        int k = ClassStats.at(i, j);
        double v = (local == null ? 0 : local[k]) + (cluster == null ? 0 : cluster[k]);
        work[i * d + j] = v;
        work[j * d + i] = v;
      }
      work[i * d + i] += lambda[i];
      int r = ClassStats.rhs(i);
      rhs[i] = (local == null ? 0 : local[r]) + (cluster == null ? 0 : cluster[r]) + lambda[i] * prior[i];
    }
    double[] theta = choleskySolve(work, rhs, d);
    CalibrationParams p = params.shared();
    theta[0] = Math.max(0, Math.min(p.maxInterceptTokens(), theta[0]));
    for (int i = 1; i < d; i++) {
      theta[i] = Math.max(params.minWeight(), Math.min(params.maxWeight(), theta[i]));
    }
    return theta;
  }

  /** Adds one sample with weight {@code w} to {@code moments}, decaying what was there by {@code beta}. */
  static void accumulate(double[] moments, double[] x, double y, double w, double beta) {
    int d = x.length;
    for (int i = 0; i < d; i++) {
      double wx = w * x[i];
      int row = ClassStats.at(i, i);
      for (int j = i; j < d; j++) {
        moments[row + j - i] = beta * moments[row + j - i] + wx * x[j];
      }
      int r = ClassStats.rhs(i);
      moments[r] = beta * moments[r] + wx * y;
    }
  }

  /** x = (1, counts...) for {@link #accumulate}. */
  static double[] vector(ClassCounts counts) {
    ByteClass[] all = ByteClass.all();
    double[] x = new double[all.length + 1];
    x[0] = 1;
    for (int i = 0; i < all.length; i++) {
      x[i + 1] = counts.count(all[i]);
    }
    return x;
  }

  /**
   * Solves a x = rhs for symmetric positive definite {@code a} (d·d, overwritten), after scaling it to a
   * unit diagonal so that counts of very different sizes do not cost precision.
   */
  static double[] choleskySolve(double[] a, double[] rhs, int d) {
    double[] s = new double[d];
    for (int i = 0; i < d; i++) {
      s[i] = 1 / Math.sqrt(a[i * d + i]);
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        a[i * d + j] *= s[i] * s[j];
      }
      rhs[i] *= s[i];
    }
    // a = L Lᵀ, L stored in the lower triangle
    for (int j = 0; j < d; j++) {
      double diag = a[j * d + j];
      for (int k = 0; k < j; k++) {
        diag -= a[j * d + k] * a[j * d + k];
      }
      diag = Math.sqrt(Math.max(diag, 1e-12));
      a[j * d + j] = diag;
      for (int i = j + 1; i < d; i++) {
        double v = a[i * d + j];
        for (int k = 0; k < j; k++) {
          v -= a[i * d + k] * a[j * d + k];
        }
        a[i * d + j] = v / diag;
      }
    }
    double[] z = new double[d];
    for (int i = 0; i < d; i++) {
      double v = rhs[i];
      for (int k = 0; k < i; k++) {
        v -= a[i * d + k] * z[k];
      }
      z[i] = v / a[i * d + i];
    }
    for (int i = d - 1; i >= 0; i--) {
      double v = z[i];
      for (int k = i + 1; k < d; k++) {
        v -= a[k * d + i] * z[k];
      }
      z[i] = v / a[i * d + i];
    }
    for (int i = 0; i < d; i++) {
      z[i] *= s[i];
    }
    return z;
  }
}
