package dev.sluice.dispatcher.security;

import dev.sluice.dispatcher.rate.CellRate;
import io.vertx.core.Future;

/**
 * A key's per-minute limit on this node alone: a {@link CellRate} that holds one minute's allowance and refills
 * continuously.
 */
final class Gcra implements Allowance {

  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final long perMinute;
  private final CellRate rate;

  Gcra(long perMinute, long nowNanos) {
    this.perMinute = perMinute;
    this.rate = new CellRate(perMinute, MINUTE_NANOS, nowNanos);
  }

  @Override
  public long perMinute() {
    return perMinute;
  }

  @Override
  public Future<Long> used(long nowNanos) {
    return Future.succeededFuture(Math.min(perMinute, rate.used(nowNanos)));
  }

  @Override
  public String scope() {
    return "node";
  }

  @Override
  public long tryTake(long cost, long nowNanos) {
    return rate.tryTake(cost, nowNanos);
  }

  @Override
  public void refund(long cost) {
    rate.add(-cost);
  }

  /** The debt is at most two minutes' units: later requests wait until it is paid back. */
  @Override
  public void charge(long cost) {
    rate.add(Math.min(cost, rate.perWindow() * 2));
  }
}
