package dev.sluice.dispatcher.security;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket written as the generic cell-rate algorithm: one atomic "theoretical arrival time",
 * no lock, no allocation. The bucket holds one minute's allowance and refills continuously.
 */
final class Gcra {

  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final long perMinute;
  private final long nanosPerUnit;
  private final AtomicLong theoreticalArrival;

  Gcra(long perMinute, long nowNanos) {
    this.perMinute = perMinute;
    this.nanosPerUnit = Math.max(1, MINUTE_NANOS / perMinute);
    this.theoreticalArrival = new AtomicLong(nowNanos);
  }

  long perMinute() {
    return perMinute;
  }

  /** Takes {@code cost} units; returns 0 when allowed, else the nanos until it would be (never below 1). */
  long tryTake(long cost, long nowNanos) {
    long increment = cost >= Long.MAX_VALUE / nanosPerUnit ? Long.MAX_VALUE / 2 : cost * nanosPerUnit;
    for (;;) {
      long tat = theoreticalArrival.get();
      long start = tat - nowNanos > 0 ? tat : nowNanos;
      long next = start + increment;
      long ahead = next - nowNanos;
      if (ahead > MINUTE_NANOS) {
        return Math.max(1, increment > MINUTE_NANOS ? MINUTE_NANOS : ahead - MINUTE_NANOS);
      }
      if (theoreticalArrival.compareAndSet(tat, next)) {
        return 0;
      }
    }
  }

  /** Gives back units taken by {@link #tryTake} when a later check refused the request. */
  void refund(long cost) {
    theoreticalArrival.addAndGet(-cost * nanosPerUnit);
  }
}
