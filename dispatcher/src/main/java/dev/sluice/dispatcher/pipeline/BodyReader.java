package dev.sluice.dispatcher.pipeline;

import dev.sluice.dispatcher.admission.BodyBudget;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.scan.BodyScanner;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.ScanException;
import dev.sluice.dispatcher.scan.ScanLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The read-and-scan step: reads one completion request's body as it arrives, into a buffer bounded by the body
 * cap and through the streaming scanner, chunk by chunk, and hands the body and what the scanner found to the
 * next step. A body refused half-way is answered at once and its connection closed, so the rest is never read.
 *
 * <p>What the body costs is held against the node's {@link BodyBudget} before it is spent: {@link #READING_COST}
 * bytes per body byte while it is read (the declared length before anything is read, or each chunk of a body of
 * unknown length as it arrives), one byte per byte once it is read. A request the budget cannot take is refused
 * with 503 {@code overloaded}; the {@link Call} gives the bytes back once the body is no longer held.
 */
final class BodyReader {
  /** The step after reading. */
  @FunctionalInterface
  interface Next {
    void read(Call call, Buffer body, RequestFacts facts);
  }

  private static final String JSON = "application/json";
  private static final String CONTINUE = "100-continue";
  private static final String OVERLOADED = "the dispatcher holds as many request bodies as it may; retry shortly";
  /**
   * Bytes of memory one body byte costs while it is read: the byte itself, and the two-byte character Jackson
   * decodes it into when it is part of a string (it delivers a string only whole, so a long prompt is held as
   * characters until it ends). Measured in docs/benchmarks.md, Memory bounds.
   */
  static final int READING_COST = 3;
  /** First allocation for bodies of unknown length; the buffer grows as chunks arrive. */
  private static final int INITIAL_CAPACITY = 4096;

  private final Call call;
  private final HttpServerRequest request;
  private final Api api;
  private final int cap;
  private final BodyBudget budget;
  private final Next next;
  private Buffer body;
  /** {@code body} is a chunk as the server handed it over (not yet copied into a buffer of our own). */
  private boolean bodyIsChunk;
  /** Declared Content-Length, or -1. */
  private long declared = -1;
  /** Prompt-text bytes hashed for the affinity key. */
  private final int prefixBytes;
  private BodyScanner scanner;
  private boolean done;

  BodyReader(Call call, Api api, int cap, BodyBudget budget, int prefixBytes, Next next) {
    this.call = call;
    this.request = call.request();
    this.api = api;
    this.cap = cap;
    this.prefixBytes = prefixBytes;
    this.budget = budget;
    this.next = next;
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
    if (declared > 0 && !call.holdBody(budget, declared * READING_COST)) {
      refuse(FailureKind.OVERLOADED, OVERLOADED, null);
      return;
    }
    scanner = new BodyScanner(api, ScanLimits.DEFAULTS, prefixBytes);
    request.handler(this::onChunk);
    request.endHandler(v -> onEnd());
    request.exceptionHandler(t -> {
      if (done) {
        return;
      }
      if (request.response().closed()) {
        // the client went away mid-body: the call's close handler ends it as client-closed
        done = true;
        scanner.close();
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
    if (done || stopped()) {
      return;
    }
    int received = body == null ? 0 : body.length();
    if (received + chunk.length() > cap) {
      refuse(FailureKind.BODY_TOO_LARGE, "request body is over the limit of " + cap + " bytes", null);
      return;
    }
    if (declared < 0 && !call.holdBody(budget, (long) chunk.length() * READING_COST)) {
      refuse(FailureKind.OVERLOADED, OVERLOADED, null);
      return;
    }
    append(chunk);
    try {
      scanner.feed(chunk);
    } catch (ScanException e) {
      refuse(e);
    } catch (RuntimeException e) {
      done = true;
      scanner.close();
      call.crash("while scanning the request body", e);
    }
  }

  /** The call ended meanwhile (a missed body deadline, a client gone): nothing goes further. */
  private boolean stopped() {
    if (!call.ended()) {
      return false;
    }
    done = true;
    scanner.close();
    return true;
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
    if (done || stopped()) {
      return;
    }
    done = true;
    RequestFacts facts;
    try {
      facts = scanner.finish();
    } catch (ScanException e) {
      refuse(e);
      return;
    } catch (RuntimeException e) {
      call.crash("while scanning the request body", e);
      return;
    }
    Buffer whole = body == null ? Buffer.buffer() : body;
    // scanned: the characters are gone, the body stays held until the upstream answers
    call.bodyRead(whole.length());
    // the next steps own the body now; this reader lives on only through the request's handlers
    body = null;
    call.ownTimeStarts();
    try {
      next.read(call, whole, facts);
    } catch (RuntimeException e) {
      call.crash("while routing the request", e);
    }
  }

  private void refuse(ScanException e) {
    refuse(e.param() == null ? FailureKind.INVALID_JSON : FailureKind.INVALID_REQUEST, e.getMessage(), e.param());
  }

  private void refuse(FailureKind kind, String message, String param) {
    done = true;
    if (scanner != null) {
      scanner.close();
    }
    call.refuse(kind, message, param);
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
