package dev.sluice.dispatcher.rate;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate as the generic cell-rate algorithm: {@code perWindow} units a window on average, and up to a window's worth
 * at once. One atomic "theoretical arrival time" that each unit taken moves on by window/perWindow; a take is refused
 * while that time would run more than a window ahead of now. No lock, no allocation: every event loop may ask the same
 * one, and above the rate most asks are one volatile read. The API keys' per-minute quotas and the estimator's
 * per-second learning rate are both one.
 */
public final class CellRate {
  private final long windowNanos;
  private final long nanosPerUnit;
  private final AtomicLong theoreticalArrival;

  /** {@code perWindow} &le; 0: no limit, every take is allowed. */
  public CellRate(long perWindow, long windowNanos, long nowNanos) {
    this.windowNanos = windowNanos;
    this.nanosPerUnit = perWindow <= 0 ? 0 : Math.max(1, windowNanos / perWindow);
    this.theoreticalArrival = new AtomicLong(nowNanos);
  }

  /** Takes {@code cost} units: 0 when allowed, else the nanos until it might be (never below 1). */
  public long tryTake(long cost, long nowNanos) {
    if (nanosPerUnit == 0) {
      return 0;
    }
    long increment = cost >= Long.MAX_VALUE / nanosPerUnit ? Long.MAX_VALUE / 2 : cost * nanosPerUnit;
    for (;;) {
      long tat = theoreticalArrival.get();
      long start = tat - nowNanos > 0 ? tat : nowNanos;
      long next = start + increment;
      long ahead = next - nowNanos;
      if (ahead > windowNanos) {
        return Math.max(1, increment > windowNanos ? windowNanos : ahead - windowNanos);
      }
      if (theoreticalArrival.compareAndSet(tat, next)) {
        return 0;
      }
    }
  }

  /** Units taken and not yet worn off at {@code nowNanos}: 0 to a window's worth, more while in debt. */
  public long used(long nowNanos) {
    return nanosPerUnit == 0 ? 0 : Math.max(0, theoreticalArrival.get() - nowNanos) / nanosPerUnit;
  }

  /** Takes (or, negative, gives back) {@code units} whatever is left: a correction after the fact. */
  public void add(long units) {
    theoreticalArrival.addAndGet(units * nanosPerUnit);
  }

  /** The most a window holds. */
  public long perWindow() {
    return nanosPerUnit == 0 ? Long.MAX_VALUE : windowNanos / nanosPerUnit;
  }
}
