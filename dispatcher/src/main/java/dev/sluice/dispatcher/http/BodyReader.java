package dev.sluice.dispatcher.http;

import dev.sluice.dispatcher.Dispatcher;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.SecurityRejected;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.relay.SluiceHeaders;
import dev.sluice.dispatcher.scan.BodyScanner;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.ScanException;
import dev.sluice.dispatcher.scan.ScanLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads one completion request's body as it arrives: into a buffer bounded by the body cap and through the
 * streaming scanner, chunk by chunk. At the end it estimates the budget and hands the request to the relay.
 * A body refused half-way is answered at once and its connection closed, so the rest is never read.
 */
final class BodyReader {
  private static final String JSON = "application/json";
  private static final String CONTINUE = "100-continue";
  /** First allocation for bodies of unknown length; the buffer grows as chunks arrive. */
  private static final int INITIAL_CAPACITY = 4096;

  private final HttpServerRequest request;
  private final BodyScanner.Kind kind;
  private final Dispatcher dispatcher;
  private final ApiKey key;
  private final int cap;
  private Buffer body;
  /** {@code body} is a chunk as the server handed it over (not yet copied into a buffer of our own). */
  private boolean bodyIsChunk;
  /** Declared Content-Length, or -1. */
  private long declared = -1;
  private BodyScanner scanner;
  private boolean failed;

  BodyReader(HttpServerRequest request, BodyScanner.Kind kind, Dispatcher dispatcher, ApiKey key) {
    this.key = key;
    this.request = request;
    this.kind = kind;
    this.dispatcher = dispatcher;
    this.cap = dispatcher.config().bodyCapBytes();
  }

  void start() {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !isJson(type)) {
      refuse(FailureKind.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json, got '" + type + "'", null);
      return;
    }
    declared = declaredLength();
    if (declared > cap) {
      refuse(FailureKind.BODY_TOO_LARGE, "request body of " + declared + " bytes is over the limit of " + cap, null);
      return;
    }
    scanner = new BodyScanner(kind, ScanLimits.DEFAULTS);
    request.handler(this::onChunk);
    request.endHandler(v -> onEnd());
    request.exceptionHandler(t -> {
      if (failed) {
        return;
      }
      // a body the HTTP decoder refused (e.g. a malformed chunk line): 400 and close, nothing goes upstream
      refuse(FailureKind.INVALID_REQUEST, "malformed request body framing", null);
    });
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase(CONTINUE)) {
      request.response().writeContinue();
    }
  }

  private void onChunk(Buffer chunk) {
    if (failed) {
      return;
    }
    int received = body == null ? 0 : body.length();
    if (received + chunk.length() > cap) {
      refuse(FailureKind.BODY_TOO_LARGE, "request body is over the limit of " + cap + " bytes", null);
      return;
    }
    append(chunk);
    try {
      scanner.feed(chunk);
    } catch (ScanException e) {
      refuse(e);
    } catch (RuntimeException e) {
      refuse(FailureKind.INTERNAL, "cannot read the request: " + e.getClass().getSimpleName(), null);
    }
  }

  /**
   * Most bodies arrive in one chunk, which the server already copied out of its pooled network buffer:
   * that chunk is kept as the body. Only a second chunk makes a buffer of our own.
   */
  private void append(Buffer chunk) {
    if (body == null) {
      body = chunk;
      bodyIsChunk = true;
      return;
    }
    if (bodyIsChunk) {
      int size = Math.max(body.length() + chunk.length(), declared > 0 ? (int) declared : INITIAL_CAPACITY);
      body = Buffer.buffer(size).appendBuffer(body);
      bodyIsChunk = false;
    }
    body.appendBuffer(chunk);
  }

  private void onEnd() {
    if (failed) {
      return;
    }
    if (body == null) {
      body = Buffer.buffer();
    }
    try {
      RequestFacts facts = scanner.finish();
      String category = request.getHeader(SluiceHeaders.CATEGORY);
      Budget budget = dispatcher.hooks().estimator().estimate(facts, category, dispatcher.config().defaultOutputReserve());
      if (dispatcher.reliability().config().images().check(facts.hasRemoteMedia()) != null) {
        refuse(FailureKind.IMAGE_URL_NOT_ALLOWED,
            "only data: media URLs are accepted; http(s) URLs would be fetched by the model server", "messages");
        return;
      }
      SecurityRejected limited = dispatcher.reliability().limiter().charge(key, budget.total(), System.nanoTime());
      if (limited != null) {
        failed = true;
        dispatcher.metrics().unrouted().request(limited.status());
        dispatcher.metrics().failure(limited.kind());
        ErrorResponses.send(request.response(), limited.kind(), limited.getMessage(), null, false,
            limited.retryAfterSeconds());
        return;
      }
      dispatcher.relay().forward(request, body, facts, budget);
    } catch (ScanException e) {
      refuse(e);
    } catch (RuntimeException e) {
      refuse(FailureKind.INTERNAL, "cannot route the request: " + e.getClass().getSimpleName(), null);
    }
    // the relay owns the body now; this reader lives on through the request's handlers
    body = null;
  }

  private void refuse(ScanException e) {
    refuse(e.param() == null ? FailureKind.INVALID_JSON : FailureKind.INVALID_REQUEST, e.getMessage(), e.param());
  }

  private void refuse(FailureKind kind, String message, String param) {
    failed = true;
    if (scanner != null) {
      scanner.close();
    }
    dispatcher.metrics().unrouted().request(kind.status());
    dispatcher.metrics().failure(kind);
    ErrorResponses.send(request.response(), kind, message, param, FrontVerticle.hasUnreadBody(request));
  }

  private long declaredLength() {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code application/json} or any {@code +json} type, parameters ignored. */
  static boolean isJson(String contentType) {
    int end = contentType.indexOf(';');
    String mime = (end < 0 ? contentType : contentType.substring(0, end)).trim();
    return mime.equalsIgnoreCase(JSON)
        || (mime.length() > 5 && mime.regionMatches(true, mime.length() - 5, "+json", 0, 5));
  }
}
