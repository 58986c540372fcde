package dev.sluice.dispatcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits in a test for a condition that another thread makes true. */
final class Eventually {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private Eventually() {
  }

  /** Polls every 20 ms and fails with "not within 10 s: " + what if the condition is still false after 10 s. */
  static void eventually(BooleanSupplier condition, String what) {
    eventually(condition, what, LIMIT);
  }

  /** The same with another limit; the failure names it in whole seconds. */
  static void eventually(BooleanSupplier condition, String what, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
