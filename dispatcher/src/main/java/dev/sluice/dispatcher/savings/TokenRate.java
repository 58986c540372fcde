package dev.sluice.dispatcher.savings;

/**
 * One endpoint's generation-token counter turned into rates over a sliding window of scrape intervals.
 * Each interval between two scrapes contributes its token delta and its length; an interval whose both ends
 * showed requests waiting is also counted as saturated (the instance could not take more work, so its rate
 * is its capacity for that mix). A counter that went down (a restarted server) drops that interval.
 * Not thread-safe: one timer owns it.
 */
public final class TokenRate {
  private final double[] tokens;
  private final double[] seconds;
  private final boolean[] saturated;
  private int next;
  private int filled;
  private double lastCount = -1;
  private long lastAtNanos = Long.MIN_VALUE;
  private boolean lastSaturated;

  public TokenRate(int intervals) {
    this.tokens = new double[intervals];
    this.seconds = new double[intervals];
    this.saturated = new boolean[intervals];
  }

  /**
   * Feeds one scrape: the counter value, when it was read, and whether requests were waiting. A repeated
   * snapshot (same time) is ignored; a missing counter (negative) resets the baseline.
   */
  public void observe(double count, long atNanos, boolean waiting) {
    if (atNanos == lastAtNanos) {
      return;
    }
    if (count < 0) {
      lastCount = -1;
      lastAtNanos = atNanos;
      return;
    }
    if (lastCount >= 0 && atNanos > lastAtNanos && count >= lastCount) {
      tokens[next] = count - lastCount;
      seconds[next] = (atNanos - lastAtNanos) / 1e9;
      saturated[next] = waiting && lastSaturated;
      next = (next + 1) % tokens.length;
      filled = Math.min(filled + 1, tokens.length);
    }
    lastCount = count;
    lastAtNanos = atNanos;
    lastSaturated = waiting;
  }

  /** Tokens over the window. */
  public double tokens() {
    double t = 0;
    for (int i = 0; i < filled; i++) {
      t += tokens[i];
    }
    return t;
  }

  /** Seconds the window covers. */
  public double seconds() {
    double s = 0;
    for (int i = 0; i < filled; i++) {
      s += seconds[i];
    }
    return s;
  }

  /** Tokens produced during saturated intervals. */
  public double saturatedTokens() {
    double t = 0;
    for (int i = 0; i < filled; i++) {
      if (saturated[i]) {
        t += tokens[i];
      }
    }
    return t;
  }

  /** Seconds spent saturated. */
  public double saturatedSeconds() {
    double s = 0;
    for (int i = 0; i < filled; i++) {
      if (saturated[i]) {
        s += seconds[i];
      }
    }
    return s;
  }

  /** Tokens per second over the window; 0 before two scrapes. */
  public double perSecond() {
    double s = seconds();
    return s <= 0 ? 0 : tokens() / s;
  }
}
