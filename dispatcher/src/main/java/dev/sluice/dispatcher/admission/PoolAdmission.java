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
 * Bounded in-flight for one pool plus a short, bounded line of waiters with deadlines, served by class and by
 * key ({@link WaitLine}). Lock-free and shared by every event loop.
 *
 * <p>Capacity is {@code maxInFlightPerEndpoint × available endpoints}, so an ejected or probe-down
 * endpoint shrinks it at once. No available endpoint: 503 at once. Slots all taken: wait up to
 * {@code maxWaitMillis} in a line of at most {@code maxWaiters}, else 429; when the line is over its bound the
 * waiter that leaves is the newest of the key with the most waiters in the lowest waiting class. A released slot
 * goes straight to a waiter: high, normal and low by their weights, the keys of a class in turn.
 *
 * <p>Without a lock: a slot is taken and given back with a compare-and-set on the in-flight count, and every path
 * that frees a slot or adds a waiter then runs {@link #drain()}. Only one thread at a time drains (a
 * work-in-progress counter: a thread that finds a drain under way leaves its work to it and returns at once, so
 * nobody ever waits); the drain moves new arrivals into the line, evicts over the bound, and hands free slots to
 * waiters it has atomically claimed. A waiter that leaves (deadline, client gone) stays in the line until the drain
 * meets it; their number is bounded by purging when they outnumber the live ones.
 */
public final class PoolAdmission {
  /** Entries of waiters that left, tolerated in the line beyond the live ones before a purge. */
  static final int PURGE_SLACK = 16;

  private final Vertx vertx;
  private final String pool;
  private final AdmissionPolicy policy;
  private final IntSupplier availableEndpoints;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Waiters still waiting (in the line or among the arrivals). */
  private final AtomicInteger waiting = new AtomicInteger();
  /** Waiters not yet in the line: added by any thread, moved into the line by the drain. */
  private final ConcurrentLinkedQueue<Waiter> arrivals = new ConcurrentLinkedQueue<>();
  /** Work in progress of the drain: the thread that raises it from 0 drains, for itself and every later caller. */
  private final AtomicInteger drains = new AtomicInteger();
  /** Touched only by the draining thread. */
  private final WaitLine<Waiter> line;

  /**
   * @param availableEndpoints how many endpoints of the pool may take requests now (for example
   *                           {@code () -> poolHealth.availableCount(System.nanoTime())})
   */
  public PoolAdmission(Vertx vertx, String pool, AdmissionPolicy policy, IntSupplier availableEndpoints) {
    this.vertx = vertx;
    this.pool = pool;
    this.policy = policy;
    this.availableEndpoints = availableEndpoints;
    this.line = new WaitLine<>(LANE, policy);
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

  /** Asks for a slot as a {@code normal} request of no particular key (a retry moving to a larger pool). */
  public Ticket acquire() {
    return acquire(Priority.NORMAL, null);
  }

  /**
   * Asks for a slot for a request of class {@code priority} sent with key {@code owner} (null for none); see the
   * class comment for the outcomes.
   */
  public Ticket acquire(Priority priority, Object owner) {
    if (availableEndpoints.getAsInt() <= 0) {
      return new Refused(reject(FailureKind.NO_HEALTHY_UPSTREAM));
    }
    // while others wait, a free slot is theirs: the line decides who is next
    if (waiting.get() == 0 && tryTake()) {
      return new Granted(new Slot());
    }
    if (policy.maxWaiters() == 0 || policy.maxWaitMillis() == 0) {
      return new Refused(reject(FailureKind.POOL_SATURATED));
    }
    waiting.incrementAndGet();
    Waiter waiter = new Waiter(Vertx.currentContext(), priority, owner);
    waiter.timerId = vertx.setTimer(policy.maxWaitMillis(), id -> waiter.expire());
    arrivals.add(waiter);
    drain();
    return waiter;
  }

  /** Entries in the line, waiters that left included: for tests, read when nothing else runs. */
  int lineEntries() {
    return line.entries();
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
    if (drains.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      serve();
      missed = drains.addAndGet(-missed);
    } while (missed != 0);
  }

  /** One round of the drain: arrivals into the line, the bound kept, free slots to waiters. */
  private void serve() {
    Waiter arrived;
    while ((arrived = arrivals.poll()) != null) {
      line.add(arrived);
    }
    while (waiting.get() > policy.maxWaiters()) {
      Waiter evicted = line.evictOne();
      if (evicted == null) {
        break;
      }
      evicted.evicted();
    }
    if (line.entries() > Math.max(waiting.get(), 0) * 2 + PURGE_SLACK) {
      line.purge();
    }
    while (line.entries() > 0) {
      if (!tryTake()) {
        return;
      }
      Waiter next = line.next();
      if (next == null) {
        inFlight.decrementAndGet();
        return;
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

  /** What the line asks of a waiter. */
  private static final WaitLine.Lane<Waiter> LANE = new WaitLine.Lane<>() {
    @Override
    public Priority priority(Waiter w) {
      return w.priority;
    }

    @Override
    public Object owner(Waiter w) {
      return w.owner;
    }

    @Override
    public boolean claim(Waiter w) {
      return w.claim();
    }

    @Override
    public boolean evict(Waiter w) {
      return w.state.compareAndSet(Waiter.WAITING, Waiter.EVICTED);
    }

    @Override
    public boolean waiting(Waiter w) {
      return w.state.get() == Waiter.WAITING;
    }
  };

  private final class Waiter implements Ticket {
    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int GONE = 2;
    /** Taken out of the line by the drain to keep it within its bound; refused as saturated. */
    private static final int EVICTED = 3;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final Promise<Permit> promise = Promise.promise();
    private final Context context;
    private final Priority priority;
    private final Object owner;
    private volatile Slot slot;
    private volatile boolean cancelled;
    long timerId;

    Waiter(Context context, Priority priority, Object owner) {
      this.context = context;
      this.priority = priority;
      this.owner = owner;
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

    /** The drain took this waiter out of the line (its state is already {@code EVICTED}). */
    void evicted() {
      waiting.decrementAndGet();
      refuse(FailureKind.POOL_SATURATED);
    }

    /** Leaves the line (it stays there as an entry the drain drops when it meets it). */
    private void leave(FailureKind reason) {
      if (state.compareAndSet(WAITING, GONE)) {
        waiting.decrementAndGet();
        refuse(reason);
      }
    }

    private void refuse(FailureKind reason) {
      vertx.cancelTimer(timerId);
      Refusal why = reject(reason);
      complete(() -> promise.tryFail(why));
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
