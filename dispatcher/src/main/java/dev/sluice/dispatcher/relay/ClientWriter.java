package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.observe.RequestIds;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.protocol.SluiceHeaders;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;

/**
 * The client side of one exchange, and the owner of its commit point: the first byte written to the client.
 * Before {@link #commit} nothing was sent, and a failure becomes one whole error response ({@link #fail});
 * after it the status and headers are fixed, and a failure can only cut the stream ({@link #abort}): one SSE
 * error event for an event stream, then a reset, never a clean end, so no client mistakes a cut answer for a
 * whole one.
 *
 * <p>Bytes read from the upstream in one turn of the event loop go to the client as one write at the end of that
 * turn: an upstream that sends a burst of small SSE events costs one write and one system call instead of one
 * per event, and no byte waits longer than the turn it arrived in. When the client's write queue is full the
 * exchange pauses the upstream, and resumes it when the queue drains.
 */
final class ClientWriter {
  private static final String TEXT_EVENT_STREAM = "text/event-stream";

  private final Exchange exchange;
  /** The API the client speaks: the shape of the errors written to it. */
  private final Api api;
  private final HttpServerResponse response;
  private final ContextInternal context;
  private final Handler<Void> flush = v -> flush();
  /** Bytes for the client not yet written, and whether this buffer is ours to append to. */
  private Buffer pending;
  private boolean pendingOwned;
  private boolean flushQueued;
  /** When the oldest queued byte arrived. */
  private long pendingSince;
  private boolean committed;
  private boolean sse;
  private boolean paused;
  /** No more bytes go out: the response ended, was cut, or the client left. */
  private boolean closed;

  ClientWriter(Exchange exchange, Api api, HttpServerResponse response, ContextInternal context) {
    this.exchange = exchange;
    this.api = api;
    this.response = response;
    this.context = context;
  }

  boolean committed() {
    return committed;
  }

  /** The client cannot take more now: the upstream waits for it, which is not the upstream's silence. */
  boolean paused() {
    return paused;
  }

  /**
   * The first byte goes to the client: {@code status} and the upstream's headers (less hop-by-hop ones), plus
   * Sluice's own. The upstream's {@code Content-Length} is kept when {@code keepLength}, else the response is
   * chunked (the body will change length).
   */
  void commit(HttpClientResponse upstream, int status, boolean keepLength, Pool pool, Budget budget, String id) {
    committed = true;
    response.setStatusCode(status);
    if (status == upstream.statusCode()) {
      String reason = upstream.statusMessage();
      if (reason != null && !reason.isEmpty()) {
        response.setStatusMessage(reason);
      }
    }
    ForwardedHeaders.copyResponse(upstream.headers(), response.headers());
    sluiceHeaders(pool, budget, id);
    String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && keepLength) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      response.setChunked(true);
    }
    String type = upstream.getHeader(HttpHeaders.CONTENT_TYPE);
    sse = type != null && type.regionMatches(true, 0, TEXT_EVENT_STREAM, 0, TEXT_EVENT_STREAM.length());
    response.drainHandler(v -> {
      paused = false;
      exchange.clientDrained();
    });
  }

  /** Queues bytes for the client; the first of a turn schedules the write at the end of the turn. */
  void write(Buffer bytes) {
    if (pending == null) {
      pending = bytes;
      pendingSince = System.nanoTime();
      pendingOwned = false;
      if (!flushQueued) {
        flushQueued = true;
        context.runOnContext(flush);
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

  private void flush() {
    flushQueued = false;
    Buffer b = takePending(null);
    if (b == null || closed) {
      return;
    }
    response.write(b);
    if (response.writeQueueFull()) {
      paused = true;
      exchange.pauseUpstream();
    }
  }

  /** The bytes queued so far followed by {@code tail} (either may be null), now queued no longer. */
  private Buffer takePending(Buffer tail) {
    Buffer b = pending;
    pending = null;
    if (b != null) {
      exchange.relayedFor(System.nanoTime() - pendingSince);
    }
    if (b == null || tail == null || tail.length() == 0) {
      return b == null ? tail : b;
    }
    return Buffer.buffer(b.length() + tail.length()).appendBuffer(b).appendBuffer(tail);
  }

  /** The answer is complete: what is queued, then {@code last} (may be null), then a clean end. */
  void end(Buffer last) {
    closed = true;
    Buffer out = takePending(last);
    if (out != null && out.length() > 0) {
      response.end(out);
    } else {
      response.end();
    }
  }

  /** Before the commit point: the whole response is this error, with Sluice's headers. */
  void fail(FailureKind kind, String message, Pool pool, Budget budget, String id) {
    closed = true;
    if (!response.closed()) {
      sluiceHeaders(pool, budget, id);
      ErrorResponses.send(response, api.errorShape(), kind, message, null, false, 0);
    }
  }

  /** After the commit point: tell an event-stream client why, then cut the response without a clean end. */
  void abort(FailureKind kind, String message) {
    closed = true;
    if (sse && !response.closed()) {
      // what was queued still goes first, then the error event
      response.write(takePending(ErrorResponses.sseEvent(api, kind, message))).onComplete(ar -> response.reset());
    } else {
      pending = null;
      response.reset();
    }
  }

  /** The client went away: nothing more is written. */
  void drop() {
    closed = true;
    pending = null;
  }

  private void sluiceHeaders(Pool pool, Budget budget, String id) {
    response.putHeader(SluiceHeaders.POOL, pool.nameHeader());
    response.putHeader(SluiceHeaders.BUDGET, Integer.toString(budget.total()));
    response.putHeader(SluiceHeaders.PROMPT_ESTIMATE, Integer.toString(budget.promptEstimate()));
    response.putHeader(SluiceHeaders.ESTIMATE_SOURCE, budget.source().header());
    response.putHeader(SluiceHeaders.CATEGORY, budget.category());
    // set, not add: an upstream that echoes the id must not make it appear twice
    response.headers().set(RequestIds.HEADER, id);
  }
}
