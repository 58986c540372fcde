package dev.sluice.loadgen;

/**
 * Walks one share of an {@link ArrivalPlan} against a clock: every call to {@link #fire} hands out each request whose
 * intended start has passed, stamped with that intended start. A request that finds the in-flight cap reached is
 * reported as blocked and dropped; it is never sent late, so a slow server cannot slow the schedule down.
 * Pure logic: the caller owns the clock, which makes it testable with a virtual one.
 */
public final class OpenLoopDriver {

  /** Where due requests go. */
  public interface Target {

    /** Whether one more request may be in flight now. */
    boolean hasCapacity();

    /** Sends plan entry {@code index} whose intended start was {@code intendedNanos}. */
    void send(int index, long intendedNanos);

    /** Plan entry {@code index} was due at {@code intendedNanos} but the in-flight cap was reached. */
    void blocked(int index, long intendedNanos);
  }

  private final long[] offsets;
  private final long startNanos;
  private final int stride;
  private int next;

  /**
   * @param plan       the whole schedule
   * @param startNanos clock value of offset zero
   * @param share      which share this driver walks: entries {@code share, share + shares, ...}
   * @param shares     how many drivers split the plan
   */
  public OpenLoopDriver(ArrivalPlan plan, long startNanos, int share, int shares) {
    if (share < 0 || share >= shares) {
      throw new IllegalArgumentException("share " + share + " of " + shares);
    }
    this.offsets = plan.offsetsNanos();
    this.startNanos = startNanos;
    this.stride = shares;
    this.next = share;
  }

  /** Hands every request due at {@code nowNanos} to the target; returns how many were due. */
  public int fire(long nowNanos, Target target) {
    int due = 0;
    while (next < offsets.length) {
      long intended = startNanos + offsets[next];
      if (intended > nowNanos) {
        break;
      }
      int index = next;
      next += stride;
      due++;
      if (target.hasCapacity()) {
        target.send(index, intended);
      } else {
        target.blocked(index, intended);
      }
    }
    return due;
  }

  public boolean finished() {
    return next >= offsets.length;
  }

  /** Clock value at which the next request is due, or {@code Long.MAX_VALUE} when the share is exhausted. */
  public long nextDueNanos() {
    return finished() ? Long.MAX_VALUE : startNanos + offsets[next];
  }
}
