package dev.sluice.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting in a test for state that another thread, a server or a cluster makes true. The one way every
 * module's tests wait: a condition polled until it holds, or an assertion re-run until it passes, each with a
 * limit after which the test fails naming what it waited for.
 */
public final class Eventually {
  /** The limit when a test names none: long enough for a loaded CI machine, short enough to fail a hang. */
  public static final Duration LIMIT = Duration.ofSeconds(10);
  private static final long POLL_MS = 20;

  private Eventually() {
  }

  /** Polls {@code condition} until it holds; fails with "not within 10 s: " + what after {@link #LIMIT}. */
  public static void eventually(BooleanSupplier condition, String what) {
    eventually(condition, what, LIMIT);
  }

  /** The same with another limit; the failure names it in whole seconds. */
  public static void eventually(BooleanSupplier condition, String what, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
      }
      sleep(POLL_MS);
    }
  }

  /**
   * Re-runs {@code assertion} until it passes or {@code limit} has passed, then rethrows its last failure: the
   * message says what was wrong at the end, not only that time ran out.
   */
  public static void assertEventually(Duration limit, Runnable assertion) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      sleep(POLL_MS * 5);
    }
  }

  /** Sleeps; an interrupt fails the test rather than being swallowed. */
  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
