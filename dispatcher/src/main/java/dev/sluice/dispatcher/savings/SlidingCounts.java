package dev.sluice.dispatcher.savings;

/**
 * Per-slot event counts over the last {@code buckets} ticks: each tick closes one bucket with the counts seen
 * since the previous tick, and the oldest bucket falls out. Not thread-safe: one timer owns it.
 */
public final class SlidingCounts {
  private final long[][] ring;
  private final long[] sums;
  private int next;
  private int filled;

  public SlidingCounts(int buckets, int slots) {
    if (buckets < 1 || slots < 1) {
      throw new IllegalArgumentException("buckets and slots must be >= 1");
    }
    this.ring = new long[buckets][slots];
    this.sums = new long[slots];
  }

  /** Closes one bucket holding {@code counts} (one per slot), evicting the oldest when the window is full. */
  public void push(long[] counts) {
    long[] bucket = ring[next];
    for (int i = 0; i < sums.length; i++) {
      sums[i] -= bucket[i];
      bucket[i] = i < counts.length ? Math.max(0, counts[i]) : 0;
      sums[i] += bucket[i];
    }
    next = (next + 1) % ring.length;
    filled = Math.min(filled + 1, ring.length);
  }

  /** Events of one slot over the window. */
  public long sum(int slot) {
    return sums[slot];
  }

  /** Events of every slot over the window. */
  public long total() {
    long t = 0;
    for (long s : sums) {
      t += s;
    }
    return t;
  }

  /** Buckets currently in the window (grows to the window length, then stays). */
  public int filled() {
    return filled;
  }

  /** Share of slot {@code slot} in the window; NaN when the window saw nothing. */
  public double fraction(int slot) {
    long t = total();
    return t == 0 ? Double.NaN : (double) sums[slot] / t;
  }
}
