package dev.sluice.dispatcher.call;

import dev.sluice.dispatcher.admission.Priority;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.admission.BodyBudget;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind.Outcome;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.observe.AccessRecord;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Ladder;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.protocol.ConnectionDeadlines;
import dev.sluice.dispatcher.protocol.LingeringClose;
import dev.sluice.dispatcher.protocol.SluiceHeaders;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.KeyRateLimiter;
import dev.sluice.dispatcher.trace.RequestTrace;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * One client request from the moment it is accepted to the moment it ends: what the pipeline learned of it on
 * the way (key, facts, budget, pool, the endpoint of its last try, first-byte time), and its single exit. Every
 * request ends exactly once, through {@link #answered}, {@link #failed} or a refusal, and that end is recorded
 * by {@link Outcomes}: one access-log line and one {@code sluice_requests_total} increment, whichever step
 * ended it. Later ends are ignored.
 *
 * <p>Lives on the event loop that accepted the request; not thread-safe, and it need not be.
 */
public final class Call implements Handler<Void>, ConnectionDeadlines.SlowBody {
  /** What the current step does when the client goes away before the end (reading, waiting, relaying). */
  public interface Stage {
    void clientGone();
  }

  /** Logged for a client that left before its answer ended (nginx's convention). */
  public static final int CLIENT_CLOSED_STATUS = 499;

  private final Outcomes outcomes;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final String id;
  /** The request's spans; null when it is not traced (then no span object exists for it). */
  private final RequestTrace trace;
  private final long accepted = System.nanoTime();
  private Stage stage;
  /** The API the request was sent to; chat until the front says otherwise (it decides the error shape). */
  private Api api = Api.CHAT;
  private ApiKey key;
  private Priority priority = Priority.NORMAL;
  private RequestFacts facts;
  private Budget budget;
  private Ladder ladder;
  private Pool pool;
  /** The client named its model by an alias: the model's own name goes upstream. */
  private boolean aliased;
  /** The endpoint that made the response this request continues, to try first; null: none. */
  private String home;
  private Endpoint endpoint;
  private int tries;
  private long firstByteAt;
  private int promptTokens = -1;
  private int completionTokens = -1;
  /** The limiter that charged this request's key on its budget, to settle on its actual tokens; null: none did. */
  private KeyRateLimiter tokenCharger;
  private long tokensCharged;
  /** Body bytes this request holds of the node's budget, given back once by {@link #bodyReleased()}. */
  private BodyBudget bodyBudget;
  private long heldBytes;
  private boolean ended;
  /** Sluice's own time on this request so far (what {@code sluice_overhead_seconds} records), and since when it runs. */
  private long ownNanos;
  private long ownSince;
  private boolean sent;

  Call(Outcomes outcomes, HttpServerRequest request, String id, RequestTrace trace) {
    this.outcomes = outcomes;
    this.request = request;
    this.response = request.response();
    this.id = id;
    this.trace = trace;
    response.closeHandler(this);
  }

  // ---- what the steps learn -------------------------------------------------------------------------

  public HttpServerRequest request() {
    return request;
  }

  public HttpServerResponse response() {
    return response;
  }

  /** The request id: the client's {@code x-request-id}, or one Sluice made. */
  public String id() {
    return id;
  }

  /** The request's spans, or null when it is not traced. */
  public RequestTrace trace() {
    return trace;
  }

  public Api api() {
    return api;
  }

  /** The request is for {@code value}: its errors take that API's shape. */
  public void serves(Api value) {
    api = value;
  }

  public ApiKey key() {
    return key;
  }

  public void authenticated(ApiKey value) {
    key = value;
  }

  /** The class the request waits in when its pool is saturated. */
  public Priority priority() {
    return priority;
  }

  public void prioritized(Priority value) {
    priority = value;
  }

  public RequestFacts facts() {
    return facts;
  }

  public Budget budget() {
    return budget;
  }

  public void estimated(RequestFacts scanned, Budget value) {
    facts = scanned;
    budget = value;
  }

  /**
   * Its model's pools, from the pool set it was routed in; it keeps them to the end, whatever reloads happen
   * meanwhile. Null before the model was looked up.
   */
  public Ladder ladder() {
    return ladder;
  }

  /**
   * The model the request names was found: it may go to the pools of {@code value}. {@code byAlias}: the client
   * used an alias, and the upstream gets the model's own name.
   */
  public void climbs(Ladder value, boolean byAlias) {
    ladder = value;
    aliased = byAlias;
  }

  /** Whether the body names the model by an alias that the upstream would not know. */
  public boolean aliased() {
    return aliased;
  }

  public Pool pool() {
    return pool;
  }

  /** The URL of the endpoint that holds the state the request continues, or null. */
  public String home() {
    return home;
  }

  /** The request continues state that {@code endpointUrl} holds: its first try goes there while it can. */
  public void continues(String endpointUrl) {
    home = endpointUrl;
  }

  /** The request goes to {@code value} of its ladder (the first pool, or a larger one on a retry). */
  public void routed(Pool value) {
    pool = value;
  }

  /** A try starts on {@code value}. */
  public void tried(Endpoint value) {
    endpoint = value;
    tries++;
  }

  /** The first byte of the answer goes to the client now. */
  public void firstByte() {
    firstByteAt = System.nanoTime();
  }

  /** The prompt tokens the upstream reported, for the log. */
  public void promptTokens(int value) {
    promptTokens = value;
  }

  /** The completion tokens the upstream reported (read only for a request charged on its tokens). */
  public void completionTokens(int value) {
    completionTokens = value;
  }

  /** Its key was charged {@code tokens} by {@code limiter}, to be settled on the actual tokens at the end. */
  public void chargedTokens(KeyRateLimiter limiter, long tokens) {
    tokenCharger = limiter;
    tokensCharged = tokens;
  }

  /** Whether the answer's completion tokens are needed (its key is charged on its tokens). */
  public boolean countsCompletion() {
    return tokenCharger != null;
  }

  /** Sluice's own time starts (again): the body is in, or the wait for a slot is over. */
  public void ownTimeStarts() {
    ownSince = System.nanoTime();
  }

  /** Sluice's own time pauses: the request waits for a slot. */
  public void ownTimePauses() {
    if (ownSince != 0) {
      ownNanos += System.nanoTime() - ownSince;
      ownSince = 0;
    }
  }

  /** The first try's bytes go to the upstream now: the time before it was Sluice's. */
  public void sent() {
    ownTimePauses();
    sent = true;
  }

  /** Time an answer's bytes spent in Sluice between the upstream and the client. */
  public void relayed(long nanos) {
    ownNanos += nanos;
  }

  /** Sluice's own time on the request, or -1 when it never reached an upstream. */
  long ownNanos() {
    return sent ? ownNanos : -1;
  }

  /**
   * Holds {@code bytes} more of the node's body budget for this request; false (nothing held) when the budget
   * has not that many left.
   */
  public boolean holdBody(BodyBudget budget, long bytes) {
    if (!budget.tryHold(bytes)) {
      return false;
    }
    bodyBudget = budget;
    heldBytes += bytes;
    return true;
  }

  /** The body is read whole: from now on it holds {@code bodyBytes} of the budget, and gives back the rest. */
  public void bodyRead(long bodyBytes) {
    if (heldBytes > bodyBytes) {
      bodyBudget.release(heldBytes - bodyBytes);
      heldBytes = bodyBytes;
    }
  }

  /** The request's body is no longer held (sent and answered, or the request ended): its bytes go back, once. */
  public void bodyReleased() {
    if (heldBytes > 0) {
      bodyBudget.release(heldBytes);
      heldBytes = 0;
    }
  }

  /** Whether the request has ended (answered, failed, refused, or its client left). */
  public boolean ended() {
    return ended;
  }

  /** The step now in charge of the client going away; null restores the default (end as client-closed). */
  public void stage(Stage value) {
    stage = value;
  }

  // ---- the ends -------------------------------------------------------------------------------------

  /** An upstream's answer reached the client whole, with {@code status}. */
  public void answered(int status) {
    end(status, null, Outcome.OK);
  }

  /**
   * The same, for an answer that carried the upstream's {@code failure} (an error event in its stream) and was
   * forwarded as it came; null for none.
   */
  public void answered(int status, FailureKind failure) {
    end(status, failure, Outcome.OK);
  }

  /** The request failed as {@code kind}; the answer (if any) was written by the caller. */
  public void failed(FailureKind kind) {
    end(kind == FailureKind.CLIENT_CLOSED ? CLIENT_CLOSED_STATUS : kind.status(), kind, kind.outcome());
  }

  /** The stream was cut after its first byte, for {@code kind}; the client saw {@code status}. */
  public void aborted(int status, FailureKind kind) {
    end(status, kind, Outcome.ABORTED);
  }

  /** Ends the request with a refusal in OpenAI's shape (before anything was sent to the client). */
  public Future<Void> refuse(Refusal refusal) {
    return refuse(refusal.kind(), refusal.getMessage(), refusal.param(), refusal.retryAfterSeconds());
  }

  public Future<Void> refuse(FailureKind kind, String message, String param) {
    return refuse(kind, message, param, 0);
  }

  private Future<Void> refuse(FailureKind kind, String message, String param, int retryAfterSeconds) {
    return refuse(kind, message, param, retryAfterSeconds, false);
  }

  /** A refusal after which the connection closes, whatever the request (one beyond the connection cap). */
  public Future<Void> refuseAndClose(FailureKind kind, String message) {
    return refuse(kind, message, null, 0, true);
  }

  private Future<Void> refuse(FailureKind kind, String message, String param, int retryAfterSeconds,
      boolean close) {
    if (ended) {
      return Future.succeededFuture();
    }
    if (pool != null) {
      response.putHeader(SluiceHeaders.POOL, pool.nameHeader());
    }
    // a body not read yet is not kept: it is dropped as it comes, and the connection closes after the answer
    // (Vert.x alone would keep the connection for the next request once the body ended)
    close |= hasUnreadBody();
    Future<Void> written = ErrorResponses.send(response, api.errorShape(), kind, message, param,
        close && request.version() != HttpVersion.HTTP_2, retryAfterSeconds);
    failed(kind);
    if (close) {
      LingeringClose.after(written, request);
    }
    return written;
  }

  /**
   * An unexpected exception in a step before the relay: logged with the request id, counted as Sluice's own
   * fault, answered 500. Never reported as an upstream failure.
   */
  public void crash(String where, Throwable error) {
    reportFault(where, error);
    refuse(FailureKind.INTERNAL, "internal error in the dispatcher (request " + id + ")", null);
  }

  /** Logs an unexpected exception of this request (with its id, rate-limited); the caller answers. */
  public void reportFault(String where, Throwable error) {
    outcomes.faults().report(id, where, error);
  }

  /** The body missed the body deadline: 408, and the connection closes once it is written. */
  @Override
  public Future<Void> bodyTimedOut() {
    return refuse(FailureKind.REQUEST_TIMEOUT, ConnectionDeadlines.SLOW_BODY_MESSAGE, null);
  }

  /** The response's close handler: the client went away. */
  @Override
  public void handle(Void closed) {
    if (ended) {
      return;
    }
    Stage s = stage;
    if (s != null) {
      s.clientGone();
    } else {
      failed(FailureKind.CLIENT_CLOSED);
    }
  }

  private void end(int status, FailureKind failure, Outcome outcome) {
    if (ended) {
      return;
    }
    ended = true;
    stage = null;
    if (tokenCharger != null) {
      tokenCharger.settle(key, tokensCharged, actualTokens());
    }
    bodyReleased();
    outcomes.record(this, status, failure, outcome);
  }

  /**
   * What the request really cost its key: the prompt and completion tokens the upstream reported; the budget
   * charged when it reached an upstream that reported none; nothing when it never reached one.
   */
  private long actualTokens() {
    if (promptTokens >= 0) {
      return (long) promptTokens + Math.max(0, completionTokens);
    }
    return sent ? tokensCharged : 0;
  }

  /** This request's access-log line. */
  AccessRecord record(int status, FailureKind failure, Outcome outcome) {
    long now = System.nanoTime();
    return new AccessRecord(System.currentTimeMillis(), id, pool == null ? null : pool.name(),
        endpoint == null ? null : endpoint.url(), budget == null ? null : budget.category(),
        budget == null ? -1 : budget.textBytes(), budget == null ? -1 : budget.promptEstimate(),
        budget == null ? -1 : budget.total(), promptTokens, status, Math.max(0, tries - 1),
        firstByteAt == 0 ? -1 : (firstByteAt - accepted) / 1e6, (now - accepted) / 1e6, outcome.label(),
        failure == null ? null : failure.code());
  }

  /** Its server span's end: what the request became. */
  void endTrace(int status, FailureKind failure, Outcome outcome) {
    trace.end(status, failure, outcome.label(), key == null ? null : key.name(), priority, pool, promptTokens);
  }

  /**
   * Whether the request still has body bytes on the wire that nobody will read (HTTP/1: the connection must
   * close; an HTTP/2 stream is reset by the server instead, and may not say {@code Connection}).
   */
  private boolean hasUnreadBody() {
    if (request.isEnded() || request.version() == HttpVersion.HTTP_2) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.equals("0"));
  }
}
