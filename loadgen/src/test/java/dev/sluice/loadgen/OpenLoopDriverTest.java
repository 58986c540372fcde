package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenLoopDriverTest {

  private static final long MS = 1_000_000L;
  private static final long START = 5_000 * MS;

  /** Records what the driver hands out against a virtual clock. */
  private static final class Recorder implements OpenLoopDriver.Target {
    final List<long[]> sent = new ArrayList<>();
    final List<Long> blocked = new ArrayList<>();
    long now;
    int inflight;
    int cap = Integer.MAX_VALUE;

    @Override
    public boolean hasCapacity() {
      return inflight < cap;
    }

    @Override
    public void send(int index, long intendedNanos) {
      inflight++;
      sent.add(new long[] {index, intendedNanos, now});
    }

    @Override
    public void blocked(int index, long intendedNanos) {
      blocked.add(intendedNanos);
    }
  }

  private static void run(OpenLoopDriver driver, Recorder r, long tickNanos, long untilNanos) {
    for (r.now = START; r.now <= untilNanos; r.now += tickNanos) {
      driver.fire(r.now, r);
    }
  }

  @Test
  void sendsEveryScheduledRequestOfOneSecondAtTenThousandPerSecond() {
    ArrivalPlan plan = ArrivalPlan.constant(10_000, 1_000 * MS, 64);
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    run(new OpenLoopDriver(plan, START, 0, 2), a, MS, START + 1_000 * MS);
    run(new OpenLoopDriver(plan, START, 1, 2), b, MS, START + 1_000 * MS);
    assertThat(a.sent.size() + b.sent.size()).isEqualTo(10_000);
  }

  @Test
  void splitsTheRateEvenlyBetweenDrivers() {
    ArrivalPlan plan = ArrivalPlan.constant(10_000, 1_000 * MS, 64);
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    run(new OpenLoopDriver(plan, START, 0, 2), a, MS, START + 1_000 * MS);
    run(new OpenLoopDriver(plan, START, 1, 2), b, MS, START + 1_000 * MS);
    assertThat(a.sent).hasSize(5_000);
  }

  @Test
  void stampsEachRequestWithItsIntendedStartAndNeverSendsEarly() {
    ArrivalPlan plan = ArrivalPlan.constant(3_000, 200 * MS, 1);
    Recorder r = new Recorder();
    run(new OpenLoopDriver(plan, START, 0, 1), r, MS, START + 200 * MS);
    for (long[] s : r.sent) {
      assertThat(s[1]).isEqualTo(START + plan.offsetsNanos()[(int) s[0]]);
      assertThat(s[2] - s[1]).isBetween(0L, MS - 1);
    }
  }

  @Test
  void aStalledClockSendsTheBacklogStampedWithTheOriginalIntendedTimes() {
    ArrivalPlan plan = ArrivalPlan.constant(1_000, 100 * MS, 1);
    Recorder r = new Recorder();
    OpenLoopDriver driver = new OpenLoopDriver(plan, START, 0, 1);
    r.now = START + 50 * MS;
    int due = driver.fire(r.now, r);
    assertThat(due).isEqualTo(51);
    assertThat(r.sent.get(0)[2] - r.sent.get(0)[1]).isEqualTo(50 * MS);
  }

  @Test
  void requestsBeyondTheInflightCapAreCountedBlockedNotDelayed() {
    ArrivalPlan plan = ArrivalPlan.constant(1_000, 100 * MS, 1);
    Recorder r = new Recorder();
    r.cap = 10;
    run(new OpenLoopDriver(plan, START, 0, 1), r, MS, START + 100 * MS);
    assertThat(r.sent).hasSize(10);
    assertThat(r.blocked).hasSize(90);
  }

  @Test
  void finishesWhenItsShareIsExhausted() {
    ArrivalPlan plan = ArrivalPlan.constant(100, 100 * MS, 1);
    OpenLoopDriver driver = new OpenLoopDriver(plan, START, 0, 1);
    Recorder r = new Recorder();
    run(driver, r, MS, START + 100 * MS);
    assertThat(driver.finished()).isTrue();
  }
}
