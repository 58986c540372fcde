package dev.sluice.dispatcher.observe;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Unexpected exceptions on the request path, logged where an operator will see them: the first of each second
 * with its stack trace and the request id, the others of that second counted and reported with the next one.
 * A bug hit by every request must not turn the log into a flood, nor be silently swallowed. One per node.
 */
public final class RequestFaults {
  private static final System.Logger LOG = System.getLogger("sluice.request");
  private static final long PERIOD_NANOS = 1_000_000_000L;

  private final AtomicLong nextLogAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();
  private final AtomicLong total = new AtomicLong();

  /** Records one unexpected exception of the request {@code requestId} in {@code where}. */
  public void report(String requestId, String where, Throwable error) {
    total.incrementAndGet();
    long now = System.nanoTime();
    long due = nextLogAt.get();
    if ((due == Long.MIN_VALUE || now - due >= 0) && nextLogAt.compareAndSet(due, now + PERIOD_NANOS)) {
      long skipped = suppressed.getAndSet(0);
      LOG.log(System.Logger.Level.ERROR, "unexpected error " + where + " (request " + requestId + ")"
          + (skipped > 0 ? "; " + skipped + " more since the last report were not logged" : ""), error);
    } else {
      suppressed.incrementAndGet();
    }
  }

  /** Unexpected exceptions reported here so far. */
  public long total() {
    return total.get();
  }
}
