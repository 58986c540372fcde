package dev.sluice.planner;

import java.util.Arrays;

/**
 * A TTFT target with a violation budget per request class: a run meets it when, in every class, no more
 * requests than the class's budget got their first token later than the class's target. A budget of 1% of a
 * class is "P99 TTFT of that class within the target".
 *
 * @param seconds the TTFT target of each class
 * @param classOf class of each trace row (0 or 1), or null when every row is class 0
 * @param budget  allowed late first tokens per class
 */
public record Slo(double[] seconds, byte[] classOf, long[] budget) {

  /** Share of requests allowed over the target for a P99 objective. */
  public static final double P99_TAIL = 0.01;

  public Slo {
    if (budget.length == 0 || seconds.length != budget.length || (classOf == null && budget.length != 1)) {
      throw new IllegalArgumentException("one target and one budget per class");
    }
    for (double s : seconds) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("SLO must be positive");
      }
    }
  }

  /** P99 over all {@code requests} rows. */
  public static Slo p99(double seconds, int requests) {
    return allowing(seconds, tail(requests));
  }

  /** One class, an explicit number of late first tokens allowed. */
  public static Slo allowing(double seconds, long lateAllowed) {
    return new Slo(new double[] {seconds}, null, new long[] {lateAllowed});
  }

  /** P99 in each of two classes separately, each against its own target. */
  public static Slo p99PerClass(double shortSeconds, double longSeconds, byte[] classOf) {
    int ones = 0;
    for (byte c : classOf) {
      ones += c;
    }
    return new Slo(new double[] {shortSeconds, longSeconds}, classOf,
        new long[] {tail(classOf.length - ones), tail(ones)});
  }

  /** Late first tokens a P99 objective allows among {@code n} requests. */
  public static long tail(int n) {
    return (long) Math.floor(n * P99_TAIL + 1e-9);
  }

  int classOf(int row) {
    return classOf == null ? 0 : classOf[row];
  }

  /** The target of a row's class. */
  double secondsOf(int row) {
    return seconds[classOf(row)];
  }

  /** Same targets and classes (budgets may differ). */
  boolean sameTargets(Slo other) {
    return Arrays.equals(seconds, other.seconds) && classOf == other.classOf;
  }
}
