package dev.sluice.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Poll-until-true for state that converges asynchronously. */
final class Eventually {

  private Eventually() {
  }

  /** Re-runs {@code assertion} until it passes or {@code max} has passed, then rethrows its last failure. */
  static void assertEventually(Duration max, Runnable assertion) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      sleep(100);
    }
  }

  /** Waits until {@code condition} holds; fails with {@code what} after {@code max}. */
  static void waitFor(Duration max, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + max + " waiting for: " + what);
      }
      sleep(50);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
