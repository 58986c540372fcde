package dev.sluice.planner;

import java.util.SplittableRandom;

/** Poisson traces with two request sizes in a known proportion. */
final class Synthetic {
  private Synthetic() {
  }

  static Trace twoSizes(double rate, double seconds, double shortShare, int shortPrompt, int shortOutput,
      int longPrompt, int longOutput, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int cap = (int) (rate * seconds * 1.2) + 16;
    double[] a = new double[cap];
    int[] p = new int[cap];
    int[] o = new int[cap];
    int n = 0;
    double t = 0;
    while (true) {
      t += -Math.log(1 - random.nextDouble()) / rate;
      if (t > seconds || n == cap) {
        break;
      }
      boolean isShort = random.nextDouble() < shortShare;
      a[n] = t;
      p[n] = isShort ? shortPrompt : longPrompt;
      o[n] = isShort ? shortOutput : longOutput;
      n++;
    }
    return new Trace(java.util.Arrays.copyOf(a, n), java.util.Arrays.copyOf(p, n), java.util.Arrays.copyOf(o, n));
  }
}
