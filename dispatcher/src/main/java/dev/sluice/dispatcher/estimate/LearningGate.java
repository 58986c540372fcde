package dev.sluice.dispatcher.estimate;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many prompt-count samples a node learns from: at most {@code perSecond} a second on average, and up to a second's
 * worth at once (a generic cell rate: each admitted sample moves a theoretical arrival time on by 1/perSecond, and a
 * sample is turned away while that time runs more than a second ahead of now). Lock-free: every event loop asks the
 * same gate, and above the rate most asks are one volatile read.
 */
final class LearningGate {
  private static final long SECOND = 1_000_000_000L;

  private final long interval;
  private final AtomicLong theoretical;

  /** {@code perSecond} &le; 0: every sample is learned from. */
  LearningGate(int perSecond, long nowNanos) {
    this.interval = perSecond <= 0 ? 0 : SECOND / perSecond;
    this.theoretical = new AtomicLong(nowNanos);
  }

  /** Whether the sample arriving at {@code nowNanos} is learned from. */
  boolean admit(long nowNanos) {
    if (interval == 0) {
      return true;
    }
    while (true) {
      long tat = theoretical.get();
      long next = Math.max(tat - nowNanos, 0) + interval;
      if (next > SECOND) {
        return false;
      }
      if (theoretical.compareAndSet(tat, nowNanos + next)) {
        return true;
      }
    }
  }
}
