package dev.sluice.dispatcher.admission;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PoolAdmissionTest {

  private Vertx vertx;
  private final AtomicInteger available = new AtomicInteger(1);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private PoolAdmission admission(int perEndpoint, int waiters, long waitMillis) {
    return new PoolAdmission(vertx, "short", new AdmissionPolicy(perEndpoint, waiters, waitMillis, 1, 5), available::get);
  }

  private static Refusal rejection(Ticket ticket) {
    Throwable t = catchThrowable(() -> ticket.granted().await(5, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(Refusal.class);
    return (Refusal) t;
  }

  @Test
  void admitsUpToCapacity() {
    PoolAdmission a = admission(2, 0, 0);
    assertThat(a.acquire().granted().succeeded()).isTrue();
    assertThat(a.acquire().granted().succeeded()).isTrue();
    assertThat(a.inFlight()).isEqualTo(2);
  }

  @Test
  void overCapacityWithoutAWaitLineIs429WithRetryAfter() {
    PoolAdmission a = admission(1, 0, 0);
    a.acquire();
    Refusal why = rejection(a.acquire());
    assertThat(why.status()).isEqualTo(429);
    assertThat(why.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void noAvailableEndpointIs503WithRetryAfter() {
    available.set(0);
    Refusal why = rejection(admission(4, 4, 1000).acquire());
    assertThat(why.status()).isEqualTo(503);
    assertThat(why.kind().code()).isEqualTo("no_healthy_upstream");
    assertThat(why.retryAfterSeconds()).isEqualTo(5);
  }

  @Test
  void capacityScalesWithAvailableEndpoints() {
    PoolAdmission a = admission(3, 0, 0);
    available.set(2);
    assertThat(a.capacity()).isEqualTo(6);
  }

  @Test
  void aReleasedSlotGoesToTheOldestWaiter() throws Exception {
    PoolAdmission a = admission(1, 2, 5_000);
    Permit first = a.acquire().granted().result();
    Ticket second = a.acquire();
    Ticket third = a.acquire();
    first.release();
    assertThat(second.granted().await(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(third.granted().isComplete()).isFalse();
    assertThat(a.inFlight()).isEqualTo(1);
  }

  @Test
  void aWaiterPastItsDeadlineGets429() {
    PoolAdmission a = admission(1, 1, 50);
    a.acquire();
    assertThat(rejection(a.acquire()).status()).isEqualTo(429);
    assertThat(a.waiting()).isZero();
  }

  @Test
  void theWaitLineIsBounded() {
    PoolAdmission a = admission(1, 1, 5_000);
    a.acquire();
    a.acquire();
    Ticket overflow = a.acquire();
    assertThat(overflow.granted().failed()).isTrue();
    assertThat(((Refusal) overflow.granted().cause()).status()).isEqualTo(429);
  }

  @Test
  void aCancelledWaiterLeavesTheLineAndNeverHoldsASlot() {
    PoolAdmission a = admission(1, 2, 5_000);
    Permit first = a.acquire().granted().result();
    Ticket gone = a.acquire();
    gone.cancel();
    first.release();
    assertThat(rejection(gone).kind()).isEqualTo(FailureKind.CLIENT_CLOSED);
    assertThat(a.inFlight()).isZero();
    assertThat(a.waiting()).isZero();
  }

  @Test
  void releaseIsIdempotent() {
    PoolAdmission a = admission(2, 0, 0);
    Permit p = a.acquire().granted().result();
    p.release();
    p.release();
    assertThat(a.inFlight()).isZero();
  }

  @Test
  void cancellingAGrantedTicketReleasesItsSlot() {
    PoolAdmission a = admission(1, 0, 0);
    Ticket t = a.acquire();
    t.cancel();
    assertThat(a.inFlight()).isZero();
  }

  @Test
  void concurrentAcquireAndReleaseFromManyEventLoopsLeaksNothing() throws Exception {
    PoolAdmission a = admission(4, 16, 10_000);
    int requests = 2_000;
    CountDownLatch done = new CountDownLatch(requests);
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    for (int i = 0; i < requests; i++) {
      vertx.runOnContext(v -> {
        Ticket t = a.acquire();
        t.granted()
            .onSuccess(p -> {
              maxSeen.accumulateAndGet(a.inFlight(), Math::max);
              vertx.setTimer(1, id -> {
                p.release();
                done.countDown();
              });
            })
            .onFailure(err -> {
              refused.incrementAndGet();
              done.countDown();
            });
      });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(maxSeen.get()).isLessThanOrEqualTo(4);
    assertThat(a.inFlight()).isZero();
    assertThat(a.waiting()).isZero();
  }

  @Test
  void aFreedSlotGoesToTheHigherClassAndAFullLineDisplacesTheLowest() {
    PoolAdmission a = admission(1, 2, 5_000);
    Permit first = a.acquire().granted().result();
    Ticket low = a.acquire(Priority.LOW, "batch");
    Ticket normal = a.acquire(Priority.NORMAL, "app");
    Ticket high = a.acquire(Priority.HIGH, "chat");
    // the line holds two: the low waiter made room
    assertThat(rejection(low).kind()).isEqualTo(FailureKind.POOL_SATURATED);
    assertThat(a.waiting()).isEqualTo(2);
    first.release();
    assertThat(high.granted().succeeded()).isTrue();
    assertThat(normal.granted().isComplete()).isFalse();
    high.granted().result().release();
    assertThat(normal.granted().succeeded()).isTrue();
  }

  @Test
  void aKeyFloodingTheLineDisplacesItsOwnWaitersNotAnotherKeys() {
    PoolAdmission a = admission(1, 3, 5_000);
    a.acquire();
    Ticket f1 = a.acquire(Priority.NORMAL, "flood");
    Ticket f2 = a.acquire(Priority.NORMAL, "flood");
    Ticket f3 = a.acquire(Priority.NORMAL, "flood");
    Ticket other = a.acquire(Priority.NORMAL, "other");
    assertThat(rejection(f3).kind()).isEqualTo(FailureKind.POOL_SATURATED);
    assertThat(other.granted().isComplete()).isFalse();
    assertThat(f1.granted().isComplete()).isFalse();
    assertThat(f2.granted().isComplete()).isFalse();
  }

  @Test
  void waitersThatLeaveAreDroppedFromTheLineNotKeptForever() {
    PoolAdmission a = admission(1, 4, 60_000);
    Permit held = a.acquire().granted().result();
    for (int i = 0; i < 1_000; i++) {
      a.acquire(Priority.values()[i % 3], "k" + (i % 7)).cancel();
    }
    assertThat(a.waiting()).isZero();
    assertThat(a.lineEntries()).isLessThanOrEqualTo(PoolAdmission.PURGE_SLACK + 2);
    Ticket next = a.acquire(Priority.LOW, "late");
    held.release();
    assertThat(next.granted().succeeded()).isTrue();
  }

  @Test
  void mixedClassesAndKeysFromManyEventLoopsLeakNothing() throws Exception {
    PoolAdmission a = admission(3, 12, 10_000);
    int requests = 3_000;
    CountDownLatch done = new CountDownLatch(requests);
    AtomicInteger maxSeen = new AtomicInteger();
    for (int i = 0; i < requests; i++) {
      Priority p = Priority.values()[i % 3];
      String key = "k" + (i % 5);
      boolean leaves = i % 11 == 0;
      vertx.runOnContext(v -> {
        Ticket t = a.acquire(p, key);
        if (leaves) {
          vertx.setTimer(1, id -> t.cancel());
        }
        t.granted()
            .onSuccess(permit -> {
              maxSeen.accumulateAndGet(a.inFlight(), Math::max);
              vertx.setTimer(1, id -> {
                permit.release();
                done.countDown();
              });
            })
            .onFailure(err -> done.countDown());
      });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
    assertThat(a.inFlight()).isZero();
    assertThat(a.waiting()).isZero();
  }

  @Test
  void retryBudgetAllowsTheFloorThenTheShare() {
    RetryBudget budget = new RetryBudget(0.2, 3);
    int allowed = 0;
    while (budget.tryStart(100)) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(20);
    RetryBudget quiet = new RetryBudget(0.2, 3);
    int quietAllowed = 0;
    while (quiet.tryStart(1)) {
      quietAllowed++;
    }
    assertThat(quietAllowed).isEqualTo(3);
    quiet.end();
    assertThat(quiet.tryStart(1)).isTrue();
  }
}
