package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.admission.Permit;
import dev.sluice.dispatcher.admission.Ticket;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.EstimateSource;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Ladder;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.trace.RequestTrace;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;

/**
 * One request's way through the relay: its tries ({@link UpstreamTry}, one at a time), the retry decisions
 * between them ({@link RetryPolicy}), the client side ({@link ClientWriter}, which owns the commit point), and
 * the end. Before the commit point a failed try may be repeated on another endpoint or a larger pool; after it,
 * a failure can only cut the stream. Every method runs on the request's event loop.
 */
final class Exchange implements Call.Stage {
  private final Relay relay;
  private final Call call;
  /** The pools of the request's model: a retry for length climbs this ladder. */
  private final Ladder ladder;
  private final Budget budget;
  /** What the request weighs on an endpoint while in flight: its estimated prompt plus its output reserve. */
  private final long weight;
  /** Its conversation ({@link AffinityKey}), computed once for every try. */
  private final long affinityKey;
  private final ResponseTap tap;
  /** A Responses request's: reads the answer's id, for the requests that will continue it; else null. */
  private final ResponseIdScanner responseId;
  private final boolean stripUsage;
  private final ClientWriter client;
  private final Watchdog watchdog;
  private final ContextInternal context;
  /** Kept for repeated tries; dropped at the commit point so long streams do not hold request bodies. */
  private Buffer body;
  private Pool pool;
  /** The pool slot from admission, released once when the exchange ends. */
  private Permit permit;
  private RetryPolicy.State tries = RetryPolicy.State.FIRST;
  private UpstreamTry current;
  /** Tries made so far, and why the last one was repeated (the failure table's reason; null before a retry). */
  private int tryCount;
  private String retryReason;
  /** The current try is a retry holding a token of the node's retry budget. */
  private boolean retryToken;
  /** The answer is a 2xx read by the tap. */
  private boolean tapped;
  /** A failure in an answer that is forwarded as it came, recorded when the request ends; null when none. */
  private FailureKind forwarded;
  private boolean finished;

  Exchange(Relay relay, Call call, Buffer body, long affinityKey, ResponseTap tap, boolean stripUsage) {
    this.relay = relay;
    this.call = call;
    this.ladder = call.ladder();
    this.budget = call.budget();
    this.weight = (long) budget.promptEstimate() + budget.outputReserve();
    this.affinityKey = affinityKey;
    this.body = body;
    this.tap = tap;
    this.responseId = call.facts().api() == Api.RESPONSES ? new ResponseIdScanner() : null;
    this.stripUsage = stripUsage;
    // created on the client request's event loop: this is its context
    this.context = (ContextInternal) relay.vertx.getOrCreateContext();
    this.client = new ClientWriter(this, call.api(), call.response(), context);
    this.watchdog = relay.watchdog(context);
  }

  void start(Permit admitted) {
    pool = call.pool();
    permit = admitted;
    pool.meters().budget(budget.total());
    if (call.response().closed()) {
      // gone while its body was read or while it waited: nothing to send it to
      clientGone();
      return;
    }
    call.stage(this);
    send(null);
  }

  private void send(Endpoint avoid) {
    // a continued response goes first to the endpoint that holds it, while that one is available
    Endpoint endpoint = tryCount == 0 && call.home() != null ? pool.available(call.home()) : null;
    if (endpoint == null) {
      endpoint = pool.pick(avoid, affinityKey, weight);
    }
    if (endpoint == null) {
      // the pool's endpoints all went (drained, or gone from DNS) while the request waited for its slot
      fail(FailureKind.NO_HEALTHY_UPSTREAM, "no healthy upstream in pool '" + pool.name() + "'");
      return;
    }
    call.tried(endpoint);
    tryCount++;
    RequestTrace trace = call.trace();
    Span span = trace == null ? null : trace.tryStarted(pool, endpoint, tryCount, retryReason, budget);
    current = new UpstreamTry(this, relay, pool, endpoint, weight, span);
    current.send(call.request(), body);
  }

  // ---- what the current try reports ----------------------------------------------------------------

  /** Whether a context-length error here could still move the request to a larger pool. */
  boolean mayMoveUp() {
    return !tries.movedUp() && ladder.larger(pool) != null;
  }

  /**
   * The try failed as {@code kind}. Before the commit point the retry policy decides: another try, or the
   * failure stands (Sluice's error, or the upstream's own answer forwarded as the row says). After it, the
   * stream is cut.
   */
  void failed(UpstreamTry t, FailureKind kind, String message) {
    if (finished || t != current) {
      return;
    }
    t.failedAs(kind);
    if (client.committed()) {
      abort(FailureKind.UPSTREAM_ABORTED, message);
      return;
    }
    Pool larger = ladder.larger(pool);
    switch (RetryPolicy.decide(kind, tries, larger != null, pool.size(), this::takeRetryToken)) {
      case RETRY_IN_POOL -> retryInPool(t, kind);
      case RETRY_ON_LARGER_POOL -> moveUp(larger);
      case GIVE_UP -> {
        if (kind.answer() != FailureKind.Answer.FORWARDED) {
          abandonTry();
          fail(kind, message);
        }
        // else: the try goes on relaying the upstream's answer
      }
    }
  }

  /**
   * A held error body is complete: a context-length error goes to the next larger pool when it may (and the
   * upstream's stated prompt count becomes a calibration sample); anything else is forwarded, a context-length
   * error as the 400 it is, whatever status vLLM chose.
   */
  void held(UpstreamTry t, Buffer heldBody, ContextLengthError tooLong) {
    if (finished || t != current) {
      return;
    }
    int status = t.response().statusCode();
    if (tooLong != null) {
      FailureKind kind = FailureKind.CONTEXT_LENGTH_EXCEEDED;
      t.failedAs(kind);
      Pool target = climbTarget(tooLong);
      if (RetryPolicy.decide(kind, tries, target != null, pool.size(), this::takeRetryToken)
          == RetryPolicy.Decision.RETRY_ON_LARGER_POOL) {
        int stated = tooLong.calibrationSample();
        if (stated > 0) {
          // the upstream counted the prompt: as good a calibration sample as a usage block
          relay.estimator.observe(budget, stated);
        }
        moveUp(target);
        return;
      }
      status = kind.status(status);
    }
    commit(t, status);
    complete(t, heldBody);
  }

  /**
   * The 2xx event stream opened with an error event ({@code held} holds it, and any role chunk before it):
   * repeated where the failure table allows (a context-length error on a larger pool, with its exact count as a
   * calibration sample; an endpoint's failure on another try in the pool), else forwarded as it came, and the
   * request's end records the failure. {@code kind} is null for the client's own error.
   */
  void streamFailed(UpstreamTry t, FailureKind kind, StreamError error, Buffer held, boolean ended) {
    if (finished || t != current) {
      return;
    }
    if (kind != null) {
      t.failedAs(kind);
    }
    if (kind != null && !client.committed()) {
      Pool target = climbTarget(error.contextLength());
      switch (RetryPolicy.decide(kind, tries, target != null, pool.size(), this::takeRetryToken)) {
        case RETRY_IN_POOL -> {
          retryInPool(t, kind);
          return;
        }
        case RETRY_ON_LARGER_POOL -> {
          int stated = error.contextLength() == null ? -1 : error.contextLength().calibrationSample();
          if (stated > 0) {
            relay.estimator.observe(budget, stated);
          }
          moveUp(target);
          return;
        }
        case GIVE_UP -> {
        }
      }
    }
    forwarded = kind;
    relay(t, held);
    if (ended) {
      ended(t, null);
    }
  }

  /** Bytes of the answer: the first commits the response; a 2xx passes through the tap. */
  void relay(UpstreamTry t, Buffer bytes) {
    if (finished || t != current) {
      return;
    }
    if (!client.committed()) {
      commit(t, t.response().statusCode());
    }
    if (tapped && responseId != null) {
      responseId.feed(bytes, 0, bytes.length());   // first, before a tap may take bytes out
    }
    Buffer out = tapped ? tap.onChunk(bytes) : bytes;
    if (out.length() > 0) {
      client.write(out);
    }
  }

  /**
   * The upstream's answer ended cleanly; {@code failure} is an error event it carried after it started
   * reaching the client (recorded, nothing else: the client got the stream as it came), else null.
   */
  void ended(UpstreamTry t, FailureKind failure) {
    if (finished || t != current) {
      return;
    }
    if (failure != null) {
      forwarded = failure;
      t.failedAs(failure);
    }
    if (!client.committed()) {
      commit(t, t.response().statusCode());
    }
    complete(t, tapped ? tap.onEnd() : null);
  }

  /** An unexpected exception in Sluice's own code while relaying: logged, counted as local, never blamed upstream. */
  void crash(UpstreamTry t, String where, RuntimeException e) {
    if (finished || t != current) {
      return;
    }
    call.reportFault(where, e);
    if (client.committed()) {
      abort(FailureKind.INTERNAL, "internal error while relaying the response");
    } else {
      abandonTry();
      fail(FailureKind.INTERNAL, "internal error in the dispatcher (request " + call.id() + ")");
    }
  }

  // ---- the client side -----------------------------------------------------------------------------

  /** The client went away: the upstream request is reset (vLLM then aborts the generation). */
  @Override
  public void clientGone() {
    if (finished) {
      return;
    }
    finish();
    client.drop();
    abandonTry();
    call.failed(FailureKind.CLIENT_CLOSED);
  }

  boolean clientPaused() {
    return client.paused();
  }

  void pauseUpstream() {
    if (current != null) {
      current.pause();
    }
  }

  void clientDrained() {
    if (!finished && current != null) {
      current.resume();
    }
  }

  /** A try is about to be sent: what Sluice spent on the request before the first one was its own. */
  void sending() {
    call.sent();
  }

  /** Bytes of the answer waited {@code nanos} in Sluice before their write to the client. */
  void relayedFor(long nanos) {
    call.relayed(nanos);
  }

  ContextInternal context() {
    return context;
  }

  Watchdog watchdog() {
    return watchdog;
  }

  // ---- steps ---------------------------------------------------------------------------------------

  private void commit(UpstreamTry t, int status) {
    int upstream = t.response().statusCode();
    tapped = upstream >= 200 && upstream < 300;
    client.commit(t.response(), status, !(tapped && stripUsage), pool, budget, call.id());
    call.firstByte();
    RequestTrace trace = call.trace();
    if (trace != null && tapped && UpstreamTry.isEventStream(t.response())) {
      trace.streaming();
    }
    // sent whole and answered: the body is not needed for another try
    body = null;
    call.bodyReleased();
  }

  private void complete(UpstreamTry t, Buffer last) {
    finish();
    pool.meters().durationNanos(System.nanoTime() - t.sentAt());
    t.finish();
    endRetry();
    if (tapped) {
      String id = responseId == null ? null : responseId.value();
      if (id != null) {
        relay.homes.remember(id, pool.name(), t.endpoint().url());
      }
      int promptTokens = tap.promptTokens();
      call.completionTokens(tap.completionTokens());
      if (promptTokens > 0) {
        call.promptTokens(promptTokens);
        if (budget.source() != EstimateSource.TOKENIZER) {
          // a counted budget was fed when it was counted: one sample per request
          relay.estimator.observe(budget, promptTokens);
        }
        countOverEstimate(promptTokens);
      }
    }
    client.end(last);
    call.answered(statusSent(), forwarded);
  }

  private int statusSent() {
    return call.response().getStatusCode();
  }

  /** A request served by a larger pool than its actual budget needed (never after a context-length move). */
  private void countOverEstimate(int promptTokens) {
    if (!tries.movedUp() && ladder.fitsBelow((long) promptTokens + budget.outputReserve(), pool)) {
      relay.metrics.misroute("over");
    }
  }

  /** Before the commit point: the whole answer is this error. */
  private void fail(FailureKind kind, String message) {
    finish();
    client.fail(kind, message, pool, budget, call.id());
    call.failed(kind);
  }

  /** After the commit point: the stream is cut. */
  private void abort(FailureKind kind, String message) {
    finish();
    abandonTry();
    client.abort(kind, message);
    call.aborted(statusSent(), kind);
  }

  /** Another try in this pool, avoiding the endpoint of {@code t} (a retry-budget token is already taken). */
  private void retryInPool(UpstreamTry t, FailureKind kind) {
    pool.meters().retry(kind.retryReason());
    retryReason = kind.retryReason();
    abandonTry();
    retryToken = true;
    tries = tries.nextInPool();
    send(t.endpoint());
  }

  /**
   * Where a context-length error sends the request, once: the smallest larger pool the upstream's exact count says
   * fits; the largest, when it says only that the prompt has at least so many tokens (a pool in between could
   * refuse it again, and there is no second climb); the next larger when it says nothing. Null when no larger
   * pool has the context the message asks for: the refusal stands.
   */
  private Pool climbTarget(ContextLengthError tooLong) {
    if (tooLong == null || tooLong.minimumContext() <= 0) {
      return ladder.larger(pool);
    }
    Pool fits = ladder.largerOfAtLeast(pool, tooLong.minimumContext());
    return fits == null || tooLong.exactCount() ? fits : ladder.largest();
  }

  /** To {@code target}, a larger pool, once, for a context-length error: the estimate was too small. */
  private void moveUp(Pool target) {
    relay.metrics.misroute("under");
    pool.meters().retry(FailureKind.CONTEXT_LENGTH_EXCEEDED.retryReason());
    retryReason = FailureKind.CONTEXT_LENGTH_EXCEEDED.retryReason();
    abandonTry();
    tries = tries.movedToLargerPool();
    pool = target;
    call.routed(pool);
    moveSlotTo(pool);
    send(null);
  }

  /**
   * Holds a slot of the pool the request now goes to, if one is free at once; otherwise keeps the slot it has
   * (the request was admitted once and is not sent back to wait).
   */
  private void moveSlotTo(Pool next) {
    Ticket ticket = next.admission().acquire();
    if (ticket.granted().succeeded()) {
      Permit old = permit;
      permit = ticket.granted().result();
      if (old != null) {
        old.release();
      }
    } else {
      ticket.cancel();
    }
  }

  private boolean takeRetryToken() {
    return relay.retries.tryStart(pool.inFlight());
  }

  /** The exchange is over: its pool slot is freed (once). */
  private void finish() {
    finished = true;
    if (permit != null) {
      permit.release();
      permit = null;
    }
  }

  /** Ends the current try early and returns its retry token. */
  private void abandonTry() {
    UpstreamTry t = current;
    if (t != null) {
      t.abandon();
    }
    endRetry();
  }

  private void endRetry() {
    if (retryToken) {
      retryToken = false;
      relay.retries.end();
    }
  }
}
