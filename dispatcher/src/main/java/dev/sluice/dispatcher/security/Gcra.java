package dev.sluice.dispatcher.security;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket written as the generic cell-rate algorithm: one atomic "theoretical arrival time",
 * no lock, no allocation. The bucket holds one minute's allowance and refills continuously.
 */
final class Gcra implements Allowance {

  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final long perMinute;
  private final long nanosPerUnit;
  private final AtomicLong theoreticalArrival;

  Gcra(long perMinute, long nowNanos) {
    this.perMinute = perMinute;
    this.nanosPerUnit = Math.max(1, MINUTE_NANOS / perMinute);
    this.theoreticalArrival = new AtomicLong(nowNanos);
  }

  @Override
  public long perMinute() {
    return perMinute;
  }

  @Override
  public Future<Long> used(long nowNanos) {
    long ahead = theoreticalArrival.get() - nowNanos;
    return Future.succeededFuture(Math.min(perMinute, Math.max(0, ahead) / nanosPerUnit));
  }

  @Override
  public String scope() {
    return "node";
  }

  @Override
  public long tryTake(long cost, long nowNanos) {
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

  @Override
  public void refund(long cost) {
    theoreticalArrival.addAndGet(-cost * nanosPerUnit);
  }

  /** The debt is at most two minutes' units: later requests wait until it is paid back. */
  @Override
  public void charge(long cost) {
    theoreticalArrival.addAndGet(Math.min(cost, MINUTE_NANOS / nanosPerUnit * 2) * nanosPerUnit);
  }
}
