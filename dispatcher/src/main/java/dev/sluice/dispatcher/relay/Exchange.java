package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.admission.Permit;
import dev.sluice.dispatcher.admission.Ticket;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.health.UpstreamFault;
import dev.sluice.dispatcher.reliability.Reliability;
import dev.sluice.dispatcher.route.Endpoint;
import io.netty.channel.ConnectTimeoutException;
import dev.sluice.dispatcher.observe.AccessRecord;
import dev.sluice.dispatcher.observe.RequestIds;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * One client request on its way through the relay: one or more upstream tries, then the response.
 *
 * <p>The commit point is the first byte written to the client. Before it, a try that cannot connect or is
 * reset is repeated once on another endpoint of the pool, a context-length 400 from a smaller pool is
 * repeated once on the next larger pool, and any other failure becomes one OpenAI-shaped error response.
 * After it, a failure can only cut the stream: one SSE error event (for event streams), then a reset, never
 * a clean end, so clients cannot mistake a cut answer for a complete one.
 *
 * <p>Every method runs on the client request's event loop. Callbacks of an abandoned try carry an old
 * {@code tryId} and are ignored.
 *
 * <p>Response bytes read from the upstream in one turn of the event loop go to the client as one write at the
 * end of that turn ({@link #toClient}): an upstream that sends a burst of small SSE events costs one write
 * and one system call instead of one per event, and no byte waits longer than the turn it arrived in.
 */
final class Exchange extends Watchdog.Watched {
  /** Tries per pool for connect failures, resets and 502/503/504 before the commit point. */
  private static final int TRIES_PER_POOL = 2;
  private static final Handler<Throwable> IGNORE = t -> { };
  private static final String TEXT_EVENT_STREAM = "text/event-stream";
  /** Logged for a client that left before its answer ended (nginx's convention). */
  static final int CLIENT_CLOSED_STATUS = 499;

  private final Relay relay;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  /** Kept for repeated tries; dropped at the commit point so long streams do not hold request bodies. */
  private Buffer body;
  private final Budget budget;
  private final ResponseTap tap;
  private final boolean stripUsage;
  private final ContextInternal context;
  private final Watchdog watchdog;
  private final Handler<Void> flushPending = v -> flushPending();
  /** Bytes for the client not yet written, and whether this buffer is ours to append to. */
  private Buffer pending;
  private boolean pendingOwned;
  private boolean flushQueued;

  private UpstreamPool pool;
  /** The pool slot from admission, released once when the exchange finishes. */
  private Permit permit;
  /** The current try is a retry holding a token of the retry budget. */
  private boolean retryToken;
  /** Endpoint of the current try while it holds an in-flight slot, else null. */
  private Endpoint endpoint;
  private HttpClientRequest upstreamRequest;
  private HttpClientResponse upstreamResponse;
  private int tryId;
  private int triesInPool;
  private boolean contextRetried;
  /** The current try answered 500: its body is held to tell a validation error (a 400) from a fault. */
  private boolean held500;
  /** Status sent to the client instead of the upstream's (0 = the upstream's). */
  private int statusOverride;
  private boolean awaitingHeaders;
  private boolean tapped;
  /** Small upstream error body held back until it is known whether it is a context-length error. */
  private Buffer peek;
  private boolean committed;
  private boolean sse;
  private boolean finished;
  private boolean paused;
  private long tryStart;
  private long lastActivity;
  /** For the access log: when routing started, when the first byte went out, tries, last endpoint. */
  private final long created = System.nanoTime();
  private long firstByteAt;
  private int sends;
  private String lastUrl;

  Exchange(Relay relay, HttpServerRequest request, Buffer body, Budget budget, ResponseTap tap, boolean stripUsage) {
    this.relay = relay;
    this.request = request;
    this.response = request.response();
    this.body = body;
    this.budget = budget;
    this.tap = tap;
    this.stripUsage = stripUsage;
    // created on the client request's event loop: this is its context
    this.context = (ContextInternal) relay.vertx.getOrCreateContext();
    this.watchdog = relay.watchdog(context);
  }

  void start(UpstreamPool first, Permit admitted) {
    pool = first;
    permit = admitted;
    pool.meters().budget(budget.total());
    if (response.closed()) {
      // gone while its body was being read: nothing to send it to
      clientGone();
      return;
    }
    response.closeHandler(v -> clientGone());
    response.drainHandler(v -> {
      paused = false;
      lastActivity = System.nanoTime();
      HttpClientResponse r = upstreamResponse;
      if (r != null && !finished) {
        r.resume();
      }
    });
    send(null);
  }

  // ---- one try -------------------------------------------------------------------------------------

  private void send(Endpoint avoid) {
    Endpoint ep = pickEndpoint(avoid);
    ep.acquire();
    endpoint = ep;
    lastUrl = ep.url();
    sends++;
    triesInPool++;
    int id = ++tryId;
    tryStart = System.nanoTime();
    awaitingHeaders = true;
    watchUntil(tryStart + relay.firstByteMs * 1_000_000L);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(ep.host())
        .setPort(ep.port())
        .setSsl(ep.ssl())
        .setURI(ep.uri(request.uri()));
    pool.client().request(options)
        .compose(req -> {
          if (id != tryId) {
            req.reset();
            return req.response();
          }
          upstreamRequest = req;
          // failures surface through the response future and the response's handlers
          req.exceptionHandler(IGNORE);
          ForwardedHeaders.copyRequest(request.headers(), req.headers());
          String upstreamAuth = relay.reliability.upstreamAuthorization(pool.name());
          if (upstreamAuth != null) {
            req.headers().set(HttpHeaders.AUTHORIZATION, upstreamAuth);
          }
          return req.send(body);
        })
        .onComplete(ar -> {
          if (id != tryId) {
            if (ar.succeeded()) {
              ar.result().request().reset();
            }
            return;
          }
          if (ar.succeeded()) {
            onHeaders(id, ar.result());
          } else {
            tryFailed(ar.cause());
          }
        });
  }

  private void onHeaders(int id, HttpClientResponse r) {
    awaitingHeaders = false;
    upstreamResponse = r;
    long now = System.nanoTime();
    lastActivity = now;
    pool.meters().firstByteNanos(now - tryStart);
    watchUntil(now + relay.streamIdleNanos);
    int status = r.statusCode();
    held500 = false;
    if (status != 500) {
      recordOutcome(UpstreamFault.ofStatus(status));
    }
    if (status >= 200 && status < 300) {
      tapped = true;
    } else if (status == 500) {
      // vLLM reports some validation errors (an over-long prompt) as 500: decide once the body is in
      held500 = true;
      peek = Buffer.buffer(256);
    } else if (status == 400 && !contextRetried && relay.upstreams.router().larger(pool.index()) >= 0) {
      peek = Buffer.buffer(256);
    } else if ((status == 502 || status == 503 || status == 504) && canRetryInPool()) {
      pool.meters().retry("status_" + status);
      retryInPool();
      return;
    }
    r.handler(chunk -> {
      if (id == tryId) {
        onChunk(chunk);
      }
    });
    r.endHandler(v -> {
      if (id == tryId) {
        onEnd();
      }
    });
    r.exceptionHandler(t -> {
      if (id == tryId) {
        onUpstreamError(t);
      }
    });
  }

  private void onChunk(Buffer chunk) {
    if (finished) {
      return;
    }
    lastActivity = System.nanoTime();
    if (peek != null) {
      if (peek.length() + chunk.length() <= relay.errorPeekBytes) {
        peek.appendBuffer(chunk);
        return;
      }
      Buffer held = peek;
      peek = null;
      if (held500) {
        recordOutcome(UpstreamFault.SERVER_ERROR);
      }
      commit();
      toClient(held);
    }
    if (!committed) {
      commit();
    }
    Buffer out;
    try {
      out = tapped ? tap.onChunk(chunk) : chunk;
    } catch (RuntimeException e) {
      // a tap bug must cut this response, not hang it
      abort("internal error while relaying the response");
      return;
    }
    if (out.length() > 0) {
      toClient(out);
    }
  }

  /** Queues bytes for the client; the first of a turn schedules the write at the end of the turn. */
  private void toClient(Buffer bytes) {
    if (pending == null) {
      pending = bytes;
      pendingOwned = false;
      if (!flushQueued) {
        flushQueued = true;
        context.runOnContext(flushPending);
      }
      return;
    }
    if (!pendingOwned) {
      // the first piece may be the upstream's buffer or a slice of it: copy before appending
      pending = Buffer.buffer(Math.max(256, 2 * (pending.length() + bytes.length()))).appendBuffer(pending);
      pendingOwned = true;
    }
    pending.appendBuffer(bytes);
  }

  /** The bytes queued so far followed by {@code tail} (either may be null), now queued no longer. */
  private Buffer takePending(Buffer tail) {
    Buffer b = pending;
    pending = null;
    if (b == null || tail == null || tail.length() == 0) {
      return b == null ? tail : b;
    }
    return Buffer.buffer(b.length() + tail.length()).appendBuffer(b).appendBuffer(tail);
  }

  private void flushPending() {
    flushQueued = false;
    Buffer b = takePending(null);
    if (b == null || finished) {
      return;
    }
    response.write(b);
    if (response.writeQueueFull()) {
      paused = true;
      upstreamResponse.pause();
    }
  }

  private void onEnd() {
    if (finished) {
      return;
    }
    if (peek != null) {
      Buffer held = peek;
      peek = null;
      int larger = relay.upstreams.router().larger(pool.index());
      ContextLengthError tooLong = ContextLengthError.parse(400, held).orElse(null);
      if (held500) {
        boolean validation = tooLong != null;
        recordOutcome(validation ? null : UpstreamFault.SERVER_ERROR);
        if (!validation || contextRetried || larger < 0) {
          if (validation) {
            // the client's error, whatever status vLLM chose: a 400, and no mark against the endpoint
            statusOverride = 400;
          }
          commit();
          complete(held);
          return;
        }
      }
      if (larger >= 0 && tooLong != null) {
        int stated = tooLong.calibrationSample();
        if (stated > 0) {
          // the upstream counted the prompt: as good a calibration sample as a usage block
          relay.estimator.observe(budget, stated);
        }
        retryOnLargerPool(larger);
        return;
      }
      commit();
      complete(held);
      return;
    }
    if (!committed) {
      commit();
    }
    Buffer last;
    try {
      last = tapped ? tap.onEnd() : null;
    } catch (RuntimeException e) {
      abort("internal error while relaying the response");
      return;
    }
    complete(last);
  }

  private void complete(Buffer last) {
    markFinished();
    int status = upstreamResponse.statusCode();
    pool.meters().durationNanos(System.nanoTime() - tryStart);
    pool.meters().request(status);
    releaseSlot();
    accessLog(statusOverride > 0 ? statusOverride : status, "ok");
    if (tapped) {
      int promptTokens = tap.promptTokens();
      if (promptTokens > 0) {
        relay.estimator.observe(budget, promptTokens);
        countOverEstimate(promptTokens);
      }
    }
    Buffer out = takePending(last);
    if (out != null && out.length() > 0) {
      response.end(out);
    } else {
      response.end();
    }
  }

  /** A request served by a larger pool than its actual budget needed (never after a context-length retry). */
  private void countOverEstimate(int promptTokens) {
    if (!contextRetried && pool.index() > 0
        && relay.upstreams.router().poolFor((long) promptTokens + budget.outputReserve()) < pool.index()) {
      relay.metrics.misroute("over");
    }
  }

  private void onUpstreamError(Throwable cause) {
    if (finished) {
      return;
    }
    if (committed) {
      recordOutcome(UpstreamFault.RESET);
      abort("upstream connection lost mid-response");
    } else {
      peek = null;
      tryFailed(cause);
    }
  }

  /** A try failed before anything reached the client. */
  private void tryFailed(Throwable cause) {
    FailureKind kind = classify(cause);
    if (kind != FailureKind.POOL_BUSY) {
      recordOutcome(kind == FailureKind.UPSTREAM_UNREACHABLE ? UpstreamFault.CONNECT_FAILURE : UpstreamFault.RESET);
    }
    boolean retryable = kind == FailureKind.UPSTREAM_UNREACHABLE || kind == FailureKind.UPSTREAM_RESET;
    if (retryable && canRetryInPool()) {
      pool.meters().retry(kind == FailureKind.UPSTREAM_UNREACHABLE ? "connect" : "reset");
      retryInPool();
      return;
    }
    String where = endpoint != null ? endpoint.url() : pool.name();
    abandonTry();
    fail(kind, message(kind, where, cause));
  }

  /** Another try in this pool is allowed by the per-pool limit and by the node's retry budget. */
  private boolean canRetryInPool() {
    return triesInPool < TRIES_PER_POOL && relay.reliability.retries().tryStart(pool.inFlight());
  }

  /** Call only after {@link #canRetryInPool()} returned true (it took a retry-budget token). */
  private void retryInPool() {
    Endpoint failed = endpoint;
    abandonTry();
    retryToken = true;
    send(failed);
  }

  /**
   * The available endpoint with the lowest in-flight plus scraped waiting queue; when nothing but
   * {@code avoid} is available (admission saw one a moment ago), the plain least-busy choice.
   */
  private Endpoint pickEndpoint(Endpoint avoid) {
    Endpoint best = pool.endpoints().pick(avoid, relay.healthScore);
    return best != null ? best : pool.endpoints().pick(avoid);
  }

  /** Tells endpoint health how the current try went: null = the endpoint answered (any non-fault status). */
  private void recordOutcome(UpstreamFault fault) {
    Endpoint ep = endpoint;
    if (ep == null) {
      return;
    }
    if (fault == null) {
      relay.reliability.upstreamOk(ep.url());
    } else {
      relay.reliability.upstreamFault(ep.url(), fault);
    }
  }

  /** The exchange is over: no more deadlines, and its pool slot is freed (once). */
  private void markFinished() {
    finished = true;
    unwatch();
    if (permit != null) {
      permit.release();
      permit = null;
    }
  }

  private void retryOnLargerPool(int larger) {
    relay.metrics.misroute("under");
    pool.meters().retry("context_length");
    abandonTry();
    contextRetried = true;
    pool = relay.upstreams.pool(larger);
    moveSlotTo(pool);
    triesInPool = 0;
    send(null);
  }

  /**
   * Holds a slot of the pool the request now goes to, if one is free at once; otherwise keeps the
   * slot it has (the request was admitted once and is not sent back to wait).
   */
  private void moveSlotTo(UpstreamPool next) {
    Ticket ticket = relay.reliability.admission(next.name()).acquire();
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

  // ---- the client side -----------------------------------------------------------------------------

  /** The first byte goes to the client: status and headers are fixed from here on. */
  private void commit() {
    committed = true;
    firstByteAt = System.nanoTime();
    body = null;
    HttpClientResponse r = upstreamResponse;
    response.setStatusCode(statusOverride > 0 ? statusOverride : r.statusCode());
    String reason = statusOverride > 0 ? null : r.statusMessage();
    if (reason != null && !reason.isEmpty()) {
      response.setStatusMessage(reason);
    }
    ForwardedHeaders.copyResponse(r.headers(), response.headers());
    sluiceHeaders();
    String length = r.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && !(tapped && stripUsage)) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      response.setChunked(true);
    }
    String type = r.getHeader(HttpHeaders.CONTENT_TYPE);
    sse = type != null && type.regionMatches(true, 0, TEXT_EVENT_STREAM, 0, TEXT_EVENT_STREAM.length());
  }

  private void sluiceHeaders() {
    response.putHeader(SluiceHeaders.POOL, pool.nameHeader());
    response.putHeader(SluiceHeaders.BUDGET, Integer.toString(budget.total()));
    response.putHeader(SluiceHeaders.PROMPT_ESTIMATE, Integer.toString(budget.promptEstimate()));
    response.putHeader(SluiceHeaders.CATEGORY, budget.category());
    // set, not add: an upstream that echoes the id must not make it appear twice
    response.headers().set(RequestIds.HEADER, request.getHeader(RequestIds.HEADER));
  }

  private void accessLog(int status, String outcome) {
    if (relay.accessLog.enabled()) {
      int promptTokens = tapped ? tap.promptTokens() : 0;
      relay.accessLog.offer(new AccessRecord(System.currentTimeMillis(), request.getHeader(RequestIds.HEADER),
          pool.name(), lastUrl, budget.category(), budget.textBytes(), budget.promptEstimate(), budget.total(),
          promptTokens > 0 ? promptTokens : -1, status, Math.max(0, sends - 1),
          firstByteAt == 0 ? -1 : (firstByteAt - created) / 1e6, (System.nanoTime() - created) / 1e6, outcome));
    }
  }

  /** Before the commit point: the whole response is this error. */
  private void fail(FailureKind kind, String message) {
    markFinished();
    pool.meters().request(kind.status());
    relay.metrics.failure(kind);
    accessLog(kind.status(), "error");
    if (!response.closed()) {
      sluiceHeaders();
      ErrorResponses.send(response, kind, message, null, false);
    }
  }

  /** After the commit point: tell an event-stream client why, then cut the response without a clean end. */
  private void abort(String message) {
    markFinished();
    pool.meters().aborted();
    relay.metrics.failure(FailureKind.UPSTREAM_ABORTED);
    accessLog(response.getStatusCode(), "aborted");
    abandonTry();
    if (sse && !response.closed()) {
      // what was queued still goes first, then the error event
      response.write(takePending(ErrorResponses.sseEvent(FailureKind.UPSTREAM_ABORTED, message)))
          .onComplete(ar -> response.reset());
    } else {
      pending = null;
      response.reset();
    }
  }

  private void clientGone() {
    if (finished) {
      return;
    }
    markFinished();
    pool.meters().clientClosed();
    relay.metrics.failure(FailureKind.CLIENT_CLOSED);
    accessLog(CLIENT_CLOSED_STATUS, "client_closed");
    pending = null;
    abandonTry();
  }

  // ---- bookkeeping ---------------------------------------------------------------------------------

  /** Ends the current try: later callbacks are ignored, the upstream request is reset, the slot freed. */
  private void abandonTry() {
    tryId++;
    unwatch();
    HttpClientRequest req = upstreamRequest;
    upstreamRequest = null;
    upstreamResponse = null;
    peek = null;
    if (req != null) {
      req.reset();
    }
    releaseSlot();
  }

  private void releaseSlot() {
    if (retryToken) {
      retryToken = false;
      relay.reliability.retries().end();
    }
    if (endpoint != null) {
      endpoint.release();
      endpoint = null;
    }
  }

  private void watchUntil(long deadlineNanos) {
    deadline = deadlineNanos;
    watchdog.watch(this);
  }

  private void unwatch() {
    watchdog.unwatch(this);
  }

  /** The first-byte deadline before the headers, stream idle after them. */
  @Override
  void onDeadline(long now) {
    unwatch();
    if (finished) {
      return;
    }
    if (awaitingHeaders) {
      recordOutcome(UpstreamFault.TIMEOUT);
      // a silent endpoint is not asked again: retry only when the pool has another one
      if (pool.endpoints().size() > 1 && canRetryInPool()) {
        pool.meters().retry("first_byte_timeout");
        retryInPool();
        return;
      }
      String where = endpoint != null ? endpoint.url() : pool.name();
      abandonTry();
      fail(FailureKind.UPSTREAM_TIMEOUT, "upstream " + where + " sent no response within " + relay.firstByteMs + " ms");
      return;
    }
    if (paused || now - lastActivity < relay.streamIdleNanos) {
      // a paused upstream waits on a slow client, not the other way round
      watchUntil((paused ? now : lastActivity) + relay.streamIdleNanos);
      return;
    }
    String message = "upstream sent nothing for " + relay.streamIdleNanos / 1_000_000L + " ms";
    recordOutcome(UpstreamFault.TIMEOUT);
    if (committed) {
      abort(message);
    } else {
      abandonTry();
      fail(FailureKind.UPSTREAM_TIMEOUT, message);
    }
  }

  private static FailureKind classify(Throwable cause) {
    if (cause instanceof ConnectionPoolTooBusyException) {
      return FailureKind.POOL_BUSY;
    }
    if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
        || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException) {
      return FailureKind.UPSTREAM_UNREACHABLE;
    }
    return FailureKind.UPSTREAM_RESET;
  }

  private static String message(FailureKind kind, String where, Throwable cause) {
    return switch (kind) {
      case POOL_BUSY -> "pool is at its connection limit and wait queue; retry later";
      case UPSTREAM_UNREACHABLE -> "no upstream reachable (last tried " + where + ")";
      default -> "upstream " + where + " failed before responding: " + cause.getClass().getSimpleName();
    };
  }
}
