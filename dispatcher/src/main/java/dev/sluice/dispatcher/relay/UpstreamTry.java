package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.trace.RequestTrace;
import io.opentelemetry.api.trace.Span;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * One try of a request on one endpoint: the endpoint's in-flight slot, the upstream HTTP request and response,
 * the deadline of the moment (first byte, then stream idle), an error body held back until it is known whether
 * the request goes elsewhere, the head of an event stream held until its first event shows an answer or an
 * error ({@link StreamHead}), an error event later in the stream ({@link SseErrorWatch}), and the endpoint's
 * health record of how the try went. It reports to its {@link Exchange}, which decides; once finished or
 * abandoned it reports nothing more, so the callbacks of an old try can never touch the request.
 */
final class UpstreamTry extends Watchdog.Watched {
  private enum State {
    /** Sent (or connecting); the first-byte deadline runs. */
    AWAITING_HEADERS,
    /** A 400 or 500 whose body is held to tell a context-length error from anything else. */
    HOLDING,
    /** A 2xx event stream held until its first event tells an answer from an error event. */
    HEAD,
    /** Bytes pass to the exchange as they arrive. */
    RELAYING,
    /** Ended or abandoned. */
    DONE
  }

  private static final Handler<Throwable> IGNORE = t -> { };

  private final Exchange exchange;
  private final Relay relay;
  private final Pool pool;
  private final Endpoint endpoint;
  /** The request's weight on the endpoint while this try is on it. */
  private final long weight;
  /** This try's client span; null when the request is not traced. */
  private final Span span;
  private State state = State.AWAITING_HEADERS;
  private HttpClientRequest request;
  private HttpClientResponse response;
  private Buffer held;
  private StreamHead head;
  /** Watches a 2xx event stream for an error event once it is being relayed; null for anything else. */
  private SseErrorWatch errors;
  private long sentAt;
  private long lastActivity;

  UpstreamTry(Exchange exchange, Relay relay, Pool pool, Endpoint endpoint, long weight, Span span) {
    this.exchange = exchange;
    this.relay = relay;
    this.pool = pool;
    this.endpoint = endpoint;
    this.weight = weight;
    this.span = span;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  HttpClientResponse response() {
    return response;
  }

  long sentAt() {
    return sentAt;
  }

  /** Sends {@code body} with the client's headers (less hop-by-hop ones and its credentials) to the endpoint. */
  void send(HttpServerRequest client, Buffer body) {
    endpoint.acquire(weight);
    exchange.sending();
    sentAt = System.nanoTime();
    watchUntil(sentAt + relay.firstByteNanos);
    pool.client(exchange.context()).request(endpoint.request(HttpMethod.POST, client.uri()))
        .compose(req -> {
          if (state == State.DONE) {
            req.reset();
            return req.response();
          }
          request = req;
          // failures surface through the response future and the response's handlers
          req.exceptionHandler(IGNORE);
          ForwardedHeaders.copyRequest(client.headers(), req.headers());
          String auth = pool.upstreamAuthorization();
          if (auth != null) {
            req.headers().set(HttpHeaders.AUTHORIZATION, auth);
          }
          if (span != null) {
            // a traced request continues its trace upstream from this try
            RequestTrace.inject(span, req.headers());
          }
          return req.send(body);
        })
        .onComplete(ar -> {
          if (state == State.DONE) {
            if (ar.succeeded()) {
              ar.result().request().reset();
            }
            return;
          }
          try {
            if (ar.succeeded()) {
              onResponse(ar.result());
            } else {
              notSent(ar.cause());
            }
          } catch (RuntimeException e) {
            exchange.crash(this, "handling an upstream answer", e);
          }
        });
  }

  /** The request got no answer: a full wait queue, a failed connect, or a reset before the headers. */
  private void notSent(Throwable cause) {
    FailureKind kind;
    String message;
    if (cause instanceof ConnectionPoolTooBusyException) {
      // never reached the endpoint: nothing to tell its health
      exchange.failed(this, FailureKind.POOL_BUSY, "pool is at its connection limit and wait queue; retry later");
      return;
    }
    if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
        || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException) {
      kind = FailureKind.UPSTREAM_UNREACHABLE;
      message = "no upstream of pool " + pool.name() + " could be reached";
    } else {
      kind = FailureKind.UPSTREAM_RESET;
      message = "upstream failed before responding: " + cause.getClass().getSimpleName();
    }
    endpoint.record(kind, System.nanoTime());
    exchange.failed(this, kind, message);
  }

  private void onResponse(HttpClientResponse r) {
    response = r;
    long now = System.nanoTime();
    lastActivity = now;
    pool.meters().firstByteNanos(now - sentAt);
    watchUntil(now + relay.streamIdleNanos);
    r.handler(this::onChunk);
    r.endHandler(v -> onEnd());
    r.exceptionHandler(this::onError);
    int status = r.statusCode();
    if (span != null) {
      RequestTrace.answered(span, status);
    }
    if (status == 500 || (status == 400 && exchange.mayMoveUp())) {
      // vLLM reports some validation errors (an over-long prompt) as 500: the body decides, and the health
      // record waits for it
      state = State.HOLDING;
      held = Buffer.buffer(256);
      return;
    }
    if (status >= 200 && status < 300 && isEventStream(r)) {
      // the health record waits for the first event: vLLM sends a failure as an error event on a 200
      state = State.HEAD;
      head = new StreamHead(Relay.ERROR_PEEK_BYTES);
      errors = new SseErrorWatch(Relay.ERROR_PEEK_BYTES);
      return;
    }
    state = State.RELAYING;
    FailureKind kind = FailureKind.ofUpstreamStatus(status);
    endpoint.record(kind, now);
    if (kind != null) {
      // retried elsewhere, or given up: then this answer is forwarded as it came
      exchange.failed(this, kind, null);
    }
  }

  private void onChunk(Buffer chunk) {
    if (state == State.DONE) {
      return;
    }
    try {
      lastActivity = System.nanoTime();
      if (state == State.HOLDING) {
        if (held.length() + chunk.length() <= Relay.ERROR_PEEK_BYTES) {
          held.appendBuffer(chunk);
          return;
        }
        // too long for an error worth a retry: it goes to the client as it is
        Buffer h = held;
        held = null;
        state = State.RELAYING;
        recordHeld(false);
        exchange.relay(this, h);
      }
      if (state == State.HEAD) {
        StreamHead.Verdict v = head.offer(chunk);
        if (v != StreamHead.Verdict.MORE) {
          headDecided(v, false);
        }
        return;
      }
      if (errors != null) {
        errors.feed(chunk);
      }
      exchange.relay(this, chunk);
    } catch (RuntimeException e) {
      exchange.crash(this, "relaying an upstream chunk", e);
    }
  }

  /**
   * The stream's first event decided: an answer is relayed from its first byte on; an error event is a failed
   * try, which the exchange may repeat elsewhere or else forward as it came.
   */
  private void headDecided(StreamHead.Verdict v, boolean ended) {
    Buffer h = head.held();
    StreamError error = head.error();
    head = null;
    state = State.RELAYING;
    if (v == StreamHead.Verdict.ERROR) {
      FailureKind kind = error.failure();
      endpoint.record(kind, System.nanoTime());
      exchange.streamFailed(this, kind, error, h, ended);
      return;
    }
    endpoint.record(null, System.nanoTime());
    if (h != null) {
      errors.feed(h);
      exchange.relay(this, h);
    }
    if (ended) {
      endRelayed();
    }
  }

  /** The relayed answer ended: an error event inside it makes the try a failure after all. */
  private void endRelayed() {
    FailureKind kind = null;
    if (errors != null) {
      errors.end();
      if (errors.sawError()) {
        kind = errors.error() == null ? FailureKind.UPSTREAM_STREAM_ERROR : errors.error().failure();
        if (kind != null) {
          endpoint.record(kind, System.nanoTime());
        }
      }
    }
    exchange.ended(this, kind);
  }

  static boolean isEventStream(HttpClientResponse r) {
    String type = r.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "text/event-stream", 0, "text/event-stream".length());
  }

  private void onEnd() {
    if (state == State.DONE) {
      return;
    }
    try {
      if (state == State.HOLDING) {
        Buffer h = held;
        held = null;
        state = State.RELAYING;
        ContextLengthError tooLong = ContextLengthError.parse(400, h).orElse(null);
        recordHeld(tooLong != null);
        exchange.held(this, h, tooLong);
        return;
      }
      if (state == State.HEAD) {
        headDecided(head.end(), true);
        return;
      }
      endRelayed();
    } catch (RuntimeException e) {
      exchange.crash(this, "ending an upstream answer", e);
    }
  }

  /** A held 500 is the endpoint's fault unless it was a validation error in disguise; a 400 never is. */
  private void recordHeld(boolean contextLength) {
    boolean fault = response.statusCode() == 500 && !contextLength;
    endpoint.record(fault ? FailureKind.UPSTREAM_SERVER_ERROR : null, System.nanoTime());
  }

  private void onError(Throwable cause) {
    if (state == State.DONE) {
      return;
    }
    endpoint.record(FailureKind.UPSTREAM_RESET, System.nanoTime());
    exchange.failed(this, FailureKind.UPSTREAM_RESET, "upstream connection lost mid-response");
  }

  /** The first-byte deadline before the headers, stream idle after them. */
  @Override
  void onDeadline(long now) {
    if (state == State.DONE) {
      unwatch();
      return;
    }
    if (state == State.AWAITING_HEADERS) {
      endpoint.record(FailureKind.UPSTREAM_TIMEOUT, now);
      exchange.failed(this, FailureKind.UPSTREAM_TIMEOUT,
          "upstream sent no response within " + relay.firstByteNanos / 1_000_000L + " ms");
      return;
    }
    boolean paused = exchange.clientPaused();
    if (paused || now - lastActivity < relay.streamIdleNanos) {
      // a paused upstream waits on a slow client, not the other way round
      watchUntil((paused ? now : lastActivity) + relay.streamIdleNanos);
      return;
    }
    endpoint.record(FailureKind.UPSTREAM_TIMEOUT, now);
    exchange.failed(this, FailureKind.UPSTREAM_TIMEOUT,
        "upstream sent nothing for " + relay.streamIdleNanos / 1_000_000L + " ms");
  }

  void pause() {
    if (response != null && state != State.DONE) {
      response.pause();
    }
  }

  /** The client can take more: the upstream goes on, and the idle clock restarts. */
  void resume() {
    if (response != null && state != State.DONE) {
      lastActivity = System.nanoTime();
      response.resume();
    }
  }

  /** The exchange judged this try a failure of {@code kind}: its span says so. */
  void failedAs(FailureKind kind) {
    if (span != null) {
      RequestTrace.failed(span, kind);
    }
  }

  /** The answer was relayed whole: the endpoint's slot is free. */
  void finish() {
    if (state != State.DONE) {
      state = State.DONE;
      unwatch();
      endpoint.release(weight);
      if (span != null) {
        span.end();
      }
    }
  }

  /** Ends this try early: its callbacks stop counting, the upstream request is reset, the slot freed. */
  void abandon() {
    if (state != State.DONE) {
      state = State.DONE;
      unwatch();
      held = null;
      head = null;
      HttpClientRequest req = request;
      if (req != null) {
        req.reset();
      }
      endpoint.release(weight);
      if (span != null) {
        span.end();
      }
    }
  }

  private void watchUntil(long deadlineNanos) {
    deadline = deadlineNanos;
    exchange.watchdog().watch(this);
  }

  private void unwatch() {
    exchange.watchdog().unwatch(this);
  }
}
