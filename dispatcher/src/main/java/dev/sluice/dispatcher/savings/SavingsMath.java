package dev.sluice.dispatcher.savings;

import java.util.List;

/** The live figures' arithmetic, free of timers and meters. */
public final class SavingsMath {

  /** Saturated seconds per pool below which a measured rho is not trusted. */
  public static final double MIN_SATURATED_SECONDS = 5.0;

  private SavingsMath() {
  }

  /** {@code alpha * (1 - 1/rho)}; NaN when either is unknown, 0 when rho is at most 1 (no gain, no saving). */
  public static double projectedSavings(double alpha, double rho) {
    if (Double.isNaN(alpha) || Double.isNaN(rho) || rho <= 0) {
      return Double.NaN;
    }
    return rho <= 1 ? 0 : alpha * (1 - 1 / rho);
  }

  /**
   * Tokens per saturated instance-second over a pool's endpoints: the pool's capacity per instance for the
   * mix it served. NaN when the pool spent under {@link #MIN_SATURATED_SECONDS} saturated in the window.
   */
  public static double saturatedRatePerInstance(List<TokenRate> endpoints) {
    double tokens = 0;
    double seconds = 0;
    for (TokenRate r : endpoints) {
      tokens += r.saturatedTokens();
      seconds += r.saturatedSeconds();
    }
    return seconds < MIN_SATURATED_SECONDS ? Double.NaN : tokens / seconds;
  }

  /** Short over long capacity per instance; NaN unless both are known and positive. */
  public static double rho(double shortPerInstance, double longPerInstance) {
    if (!(shortPerInstance > 0) || !(longPerInstance > 0)) {
      return Double.NaN;
    }
    return shortPerInstance / longPerInstance;
  }

  /** The measured value when there is one, else the planned one (NaN when neither). */
  public static double orPlanned(double measured, double planned) {
    return Double.isNaN(measured) ? planned : measured;
  }
}
