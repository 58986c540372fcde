package dev.sluice.dispatcher.admission;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Bounded in-flight for one pool plus a short, bounded FIFO of waiters with deadlines. Lock-free and
 * shared by every event loop.
 *
 * <p>Capacity is {@code maxInFlightPerEndpoint × available endpoints}, so an ejected or probe-down
 * endpoint shrinks it at once. No available endpoint: 503 at once. Slots all taken: wait up to
 * {@code maxWaitMillis} in a line of at most {@code maxWaiters}, else 429. A released slot goes
 * straight to the oldest waiter. The hand-off is race-free without a lock because every path that
 * frees a slot or adds a waiter runs {@link #drain()} afterwards, and drain only moves a slot to a
 * waiter it has atomically claimed.
 */
public final class PoolAdmission {

  private final Vertx vertx;
  private final String pool;
  private final AdmissionPolicy policy;
  private final IntSupplier availableEndpoints;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final ConcurrentLinkedQueue<Waiter> line = new ConcurrentLinkedQueue<>();

  /**
   * @param availableEndpoints how many endpoints of the pool may take requests now (for example
   *                           {@code () -> poolHealth.availableCount(System.nanoTime())})
   */
  public PoolAdmission(Vertx vertx, String pool, AdmissionPolicy policy, IntSupplier availableEndpoints) {
    this.vertx = vertx;
    this.pool = pool;
    this.policy = policy;
    this.availableEndpoints = availableEndpoints;
  }

  public String pool() {
    return pool;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int waiting() {
    return waiting.get();
  }

  /** Current in-flight bound (0 when no endpoint is available). */
  public int capacity() {
    return policy.maxInFlightPerEndpoint() * Math.max(0, availableEndpoints.getAsInt());
  }

  /** Asks for a slot; see the class comment for the outcomes. */
  public Ticket acquire() {
    if (availableEndpoints.getAsInt() <= 0) {
      return new Refused(reject(FailureKind.NO_HEALTHY_UPSTREAM));
    }
    if (tryTake()) {
      return new Granted(new Slot());
    }
    if (policy.maxWaiters() == 0 || policy.maxWaitMillis() == 0) {
      return new Refused(reject(FailureKind.POOL_SATURATED));
    }
    if (waiting.incrementAndGet() > policy.maxWaiters()) {
      waiting.decrementAndGet();
      return new Refused(reject(FailureKind.POOL_SATURATED));
    }
    Waiter waiter = new Waiter(Vertx.currentContext());
    line.add(waiter);
    waiter.timerId = vertx.setTimer(policy.maxWaitMillis(), id -> waiter.expire());
    drain();
    return waiter;
  }

  /** Re-examines the line after capacity grew (an endpoint came back). */
  public void wake() {
    drain();
  }

  private boolean tryTake() {
    for (;;) {
      int current = inFlight.get();
      if (current >= capacity()) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  private void giveBack() {
    inFlight.decrementAndGet();
    drain();
  }

  private void drain() {
    while (!line.isEmpty()) {
      if (!tryTake()) {
        return;
      }
      Waiter next;
      do {
        next = line.poll();
      } while (next != null && !next.claim());
      if (next == null) {
        inFlight.decrementAndGet();
        continue;
      }
      next.grant(new Slot());
    }
  }

  /** The refusal for one of admission's three ways of saying no. */
  private Refusal reject(FailureKind kind) {
    return switch (kind) {
      case POOL_SATURATED -> new Refusal(kind, "the pool is at capacity; retry later (" + pool + ")", null,
          policy.retryAfterContendedSeconds());
      case NO_HEALTHY_UPSTREAM -> new Refusal(kind, "no healthy upstream in the pool (" + pool + ")", null,
          policy.retryAfterUnavailableSeconds());
      default -> new Refusal(kind, "client closed the request");
    };
  }

  private final class Slot implements Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    @Override
    public void release() {
      if (released.compareAndSet(false, true)) {
        giveBack();
      }
    }
  }

  private static final class Granted implements Ticket {
    private final Slot slot;
    private final Future<Permit> future;

    Granted(Slot slot) {
      this.slot = slot;
      this.future = Future.succeededFuture(slot);
    }

    @Override
    public Future<Permit> granted() {
      return future;
    }

    @Override
    public void cancel() {
      slot.release();
    }
  }

  private static final class Refused implements Ticket {
    private final Future<Permit> future;

    Refused(Refusal why) {
      this.future = Future.failedFuture(why);
    }

    @Override
    public Future<Permit> granted() {
      return future;
    }

    @Override
    public void cancel() {
    }
  }

  private final class Waiter implements Ticket {
    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int GONE = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final Promise<Permit> promise = Promise.promise();
    private final Context context;
    private volatile Slot slot;
    private volatile boolean cancelled;
    long timerId;

    Waiter(Context context) {
      this.context = context;
    }

    /** Drain's atomic claim: only a still-waiting ticket can receive a slot. */
    boolean claim() {
      if (state.compareAndSet(WAITING, CLAIMED)) {
        waiting.decrementAndGet();
        vertx.cancelTimer(timerId);
        return true;
      }
      return false;
    }

    void grant(Slot granted) {
      slot = granted;
      if (cancelled) {
        // cancel() ran between the claim and now: the slot must not stay with a gone client.
        granted.release();
        return;
      }
      complete(() -> promise.tryComplete(granted));
    }

    void expire() {
      leave(availableEndpoints.getAsInt() <= 0
          ? FailureKind.NO_HEALTHY_UPSTREAM
          : FailureKind.POOL_SATURATED);
    }

    private void leave(FailureKind reason) {
      if (state.compareAndSet(WAITING, GONE)) {
        waiting.decrementAndGet();
        vertx.cancelTimer(timerId);
        line.remove(this);
        Refusal why = reject(reason);
        complete(() -> promise.tryFail(why));
      }
    }

    private void complete(Runnable action) {
      if (context == null || context == Vertx.currentContext()) {
        action.run();
      } else {
        context.runOnContext(v -> action.run());
      }
    }

    @Override
    public Future<Permit> granted() {
      return promise.future();
    }

    @Override
    public void cancel() {
      cancelled = true;
      leave(FailureKind.CLIENT_CLOSED);
      Slot held = slot;
      if (held != null) {
        held.release();
      }
    }
  }
}
