package dev.sluice.planner;

/**
 * The closed-form savings of splitting a fleet into a short pool and a long pool, and its extensions.
 * Derivation and assumptions: docs/cost-model.md. All functions are pure; fractions are in [0, 1].
 */
public final class CostModel {

  private CostModel() {
  }

  /**
   * The paper's formula: {@code alpha * (1 - 1/rho)}.
   *
   * @param alpha share of traffic that is short (and routed short)
   * @param rho   short-pool instance throughput on short traffic over a long-configured instance's
   */
  public static double savings(double alpha, double rho) {
    requireFraction(alpha, "alpha");
    requirePositive(rho, "rho");
    return alpha * (1 - 1 / rho);
  }

  /**
   * Short requests that the router sends to the long pool (over-estimates) do not get the cheaper
   * service: the effective short share is {@code alpha * (1 - misrouteRate)}.
   */
  public static double savingsWithMisroutes(double alpha, double rho, double misrouteRate) {
    requireFraction(misrouteRate, "misrouteRate");
    return savings(alpha * (1 - misrouteRate), rho);
  }

  /**
   * Each fleet sized to its own target utilisation: the homogeneous fleet at {@code uHomogeneous}, the
   * short pool at {@code uShort}, the long pool at {@code uLong}. Reduces to {@link #savings} when the
   * three are equal.
   */
  public static double savingsWithUtilisation(double alpha, double rho, double uHomogeneous, double uShort,
      double uLong) {
    requireFraction(alpha, "alpha");
    requirePositive(rho, "rho");
    requireUtilisation(uHomogeneous, "uHomogeneous");
    requireUtilisation(uShort, "uShort");
    requireUtilisation(uLong, "uLong");
    return 1 - uHomogeneous * (alpha / (rho * uShort) + (1 - alpha) / uLong);
  }

  /** Integer instance counts for a load, with every pool rounded up on its own. */
  public static Fleet integerFleet(double loadInLongInstances, double alpha, double rho, double misrouteRate,
      double uHomogeneous, double uShort, double uLong) {
    requirePositive(loadInLongInstances, "loadInLongInstances");
    double shortShare = alpha * (1 - misrouteRate);
    int homogeneous = ceilCount(loadInLongInstances / uHomogeneous);
    int shortPool = ceilCount(loadInLongInstances * shortShare / (rho * uShort));
    int longPool = ceilCount(loadInLongInstances * (1 - shortShare) / uLong);
    return new Fleet(homogeneous, shortPool, longPool);
  }

  /** Instance counts of the two alternatives. */
  public record Fleet(int homogeneous, int shortPool, int longPool) {

    public int routed() {
      return shortPool + longPool;
    }

    /** {@code 1 - routed/homogeneous}: what the integer counts actually save. */
    public double savings() {
      return 1 - (double) routed() / homogeneous;
    }
  }

  /** The rho that would explain a savings figure at a given alpha: {@code 1 / (1 - s/alpha)}. */
  public static double impliedRho(double savings, double alpha) {
    requireFraction(alpha, "alpha");
    if (savings >= alpha) {
      throw new IllegalArgumentException("savings must be below alpha");
    }
    return 1 / (1 - savings / alpha);
  }

  /** Yearly cost of a number of instances at an hourly price (8,760 hours a year). */
  public static double yearlyCost(int instances, double pricePerInstanceHour) {
    return instances * pricePerInstanceHour * HOURS_PER_YEAR;
  }

  static final double HOURS_PER_YEAR = 8760;

  // a pool that carries some traffic needs at least one instance; one with none needs none
  private static int ceilCount(double x) {
    return x <= 0 ? 0 : (int) Math.ceil(x - 1e-9);
  }

  private static void requireFraction(double x, String name) {
    if (!(x >= 0 && x <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1]: " + x);
    }
  }

  private static void requirePositive(double x, String name) {
    if (!(x > 0)) {
      throw new IllegalArgumentException(name + " must be positive: " + x);
    }
  }

  private static void requireUtilisation(double x, String name) {
    if (!(x > 0 && x <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1]: " + x);
    }
  }
}
