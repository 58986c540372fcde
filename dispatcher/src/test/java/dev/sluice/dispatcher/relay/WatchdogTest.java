package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-event-loop deadline sweep, on a real event loop. */
class WatchdogTest {
  private static final long PERIOD_MS = 10;

  private Vertx vertx;
  private ContextInternal loop;
  private Watchdog watchdog;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    loop = (ContextInternal) vertx.getOrCreateContext();
    watchdog = new Watchdog(loop, PERIOD_MS);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /** Runs {@code action} on the watchdog's event loop and waits for its result. */
  private <T> T onLoop(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(5, TimeUnit.SECONDS);
  }

  private static final class Entry extends Watchdog.Watched {
    final Watchdog watchdog;
    final CountDownLatch fired = new CountDownLatch(1);
    volatile long firedAt;
    volatile int fires;
    int rearms;

    Entry(Watchdog watchdog) {
      this.watchdog = watchdog;
    }

    @Override
    void onDeadline(long now) {
      if (rearms > 0) {
        rearms--;
        deadline = now + PERIOD_MS * 1_000_000L;
        return;
      }
      firedAt = now;
      fires++;
      watchdog.unwatch(this);
      fired.countDown();
    }
  }

  @Test
  void aDeadlineFiresNotBeforeItIsDue() throws Exception {
    Entry e = new Entry(watchdog);
    long due = onLoop(() -> {
      e.deadline = System.nanoTime() + 50_000_000L;
      watchdog.watch(e);
      return e.deadline;
    });
    assertThat(e.fired.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(e.firedAt - due).isGreaterThanOrEqualTo(0);
  }

  @Test
  void theSweepStopsWhenNothingIsWatched() throws Exception {
    Entry e = new Entry(watchdog);
    onLoop(() -> {
      e.deadline = System.nanoTime();
      watchdog.watch(e);
      return null;
    });
    assertThat(e.fired.await(5, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (onLoop(watchdog::sweeping) && System.nanoTime() < deadline) {
      Thread.sleep(PERIOD_MS);
    }
    assertThat(onLoop(watchdog::sweeping)).isFalse();
  }

  @Test
  void anEntryThatMovesItsDeadlineStaysWatchedUntilItStops() throws Exception {
    Entry e = new Entry(watchdog);
    e.rearms = 3;
    onLoop(() -> {
      e.deadline = System.nanoTime();
      watchdog.watch(e);
      return null;
    });
    assertThat(e.fired.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(e.rearms).isZero();
    assertThat(onLoop(watchdog::size)).isZero();
  }

  @Test
  void unwatchedEntriesNeverFireAndTheOthersAllDo() throws Exception {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      entries.add(new Entry(watchdog));
    }
    onLoop(() -> {
      long due = System.nanoTime() + 30_000_000L;
      entries.forEach(e -> {
        e.deadline = due;
        watchdog.watch(e);
        watchdog.watch(e);
      });
      for (int i = 0; i < entries.size(); i += 3) {
        watchdog.unwatch(entries.get(i));
      }
      return null;
    });
    for (int i = 0; i < entries.size(); i++) {
      if (i % 3 != 0) {
        assertThat(entries.get(i).fired.await(5, TimeUnit.SECONDS)).as("entry %d", i).isTrue();
      }
    }
    assertThat(onLoop(watchdog::size)).isZero();
    for (int i = 0; i < entries.size(); i++) {
      assertThat(entries.get(i).fires).as("fires of entry %d", i).isEqualTo(i % 3 == 0 ? 0 : 1);
    }
  }

  @Test
  void thePeriodIsATwentiethOfTheShortestTimeoutWithinBounds() {
    assertThat(Watchdog.periodFor(120_000, 60_000)).isEqualTo(1000);
    assertThat(Watchdog.periodFor(1000, 300)).isEqualTo(15);
    assertThat(Watchdog.periodFor(50, 50)).isEqualTo(10);
  }
}
