package dev.sluice.dispatcher.relay;

import io.vertx.core.internal.ContextInternal;
import java.util.Arrays;

/**
 * The deadlines of the exchanges in flight on one event loop (first byte, then stream idle), checked by one
 * periodic sweep instead of a timer per request. Arming a deadline is a field write; watching an exchange (a
 * {@link Watched}) is an array slot. A Vert.x timer per request cost a timer task, a map entry and a context close
 * hook to create and again to cancel: about 3% of the event loop's time at 25k requests/s.
 *
 * <p>A deadline fires up to one sweep period late: the period is a twentieth of the shortest timeout, between 10 ms
 * and a second, so the default 60 s stream-idle limit fires within 61 s. The sweep runs only while something is
 * watched. Every method runs on the event loop of {@code context}.
 */
final class Watchdog {
  /** Something with a deadline: {@link #onDeadline} runs at the first sweep at or after it. */
  abstract static class Watched {
    /** When {@link #onDeadline} is due, in {@link System#nanoTime()} terms; read at every sweep. */
    long deadline;
    private int slot = -1;

    /** The deadline passed; the entry is still watched (it may set a new deadline and stay, or unwatch). */
    abstract void onDeadline(long now);
  }

  private final ContextInternal context;
  private final long periodMs;
  private Watched[] watched = new Watched[16];
  private int size;
  private long sweep = -1;

  Watchdog(ContextInternal context, long periodMs) {
    this.context = context;
    this.periodMs = periodMs;
  }

  /** A twentieth of the shortest of the two timeouts, between 10 ms and 1 s. */
  static long periodFor(long firstByteMs, long streamIdleMs) {
    return Math.max(10, Math.min(1000, Math.min(firstByteMs, streamIdleMs) / 20));
  }

  /** Starts watching {@code e}; no-op when it is already watched. */
  void watch(Watched e) {
    if (e.slot >= 0) {
      return;
    }
    if (size == watched.length) {
      watched = Arrays.copyOf(watched, 2 * size);
    }
    e.slot = size;
    watched[size++] = e;
    if (sweep < 0) {
      sweep = context.setPeriodic(periodMs, id -> sweep());
    }
  }

  /** Stops watching {@code e}; no-op when it is not watched. */
  void unwatch(Watched e) {
    int slot = e.slot;
    if (slot < 0) {
      return;
    }
    Watched last = watched[--size];
    watched[slot] = last;
    last.slot = slot;
    watched[size] = null;
    e.slot = -1;
  }

  /** Entries watched now. */
  int size() {
    return size;
  }

  /** Whether the periodic sweep is scheduled (only while something is watched, or until the next sweep). */
  boolean sweeping() {
    return sweep >= 0;
  }

  private void sweep() {
    long now = System.nanoTime();
    // backwards: an entry that stops being watched is replaced by the last one, which was already looked at,
    // and one watched again during the sweep goes to the end, which was too
    for (int i = size - 1; i >= 0; i--) {
      Watched e = watched[i];
      if (now - e.deadline >= 0) {
        e.onDeadline(now);
      }
    }
    if (size == 0) {
      context.owner().cancelTimer(sweep);
      sweep = -1;
    }
  }
}
