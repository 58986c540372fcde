package dev.sluice.dispatcher.exact;

import dev.sluice.dispatcher.relay.UsageNumberScanner;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks a vLLM server how many tokens a prompt is: {@code POST /tokenize}, answered with
 * {@code {"count":N,"max_model_len":M,"tokens":[...]}}. Non-blocking, with a deadline and a bound on the
 * calls running at once; every outcome is a completed future, never a hang: a count, or a
 * {@link Failure} that says why there is none.
 *
 * <p>The answer lists every token id, a few bytes per token; it is read as it arrives for its
 * {@code count}, nothing is held, and it is read to its end so that the connection goes back to the pool.
 */
public final class TokenizeClient {

  /** The path of vLLM's tokenizer endpoint, at the server root. */
  public static final String PATH = "/tokenize";
  /** An answer longer than this is not a tokenizer's (a few bytes per token of a prompt under the body cap). */
  static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;

  /** What a count came back with. */
  public record Count(int tokens, int maxModelLen) {
  }

  /** Why there is no count. */
  public enum Reason {
    /** The bound on calls running at once was reached: no call was made. */
    BUSY,
    /** No answer within the deadline: the call was abandoned. */
    TIMEOUT,
    /** Connection failure, a status other than 200, or an answer without a count. */
    ERROR
  }

  /** A call that produced no count. */
  public static final class Failure extends RuntimeException {
    private final Reason reason;

    Failure(Reason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private final Vertx vertx;
  private final long deadlineMs;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();

  public TokenizeClient(Vertx vertx, long deadlineMs, int maxInFlight) {
    if (deadlineMs <= 0 || maxInFlight <= 0) {
      throw new IllegalArgumentException("tokenize deadline and concurrency bound must be > 0");
    }
    this.vertx = vertx;
    this.deadlineMs = deadlineMs;
    this.maxInFlight = maxInFlight;
  }

  /** Calls running now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Where a count is asked: the server's address and its {@code /tokenize} URI. */
  public static RequestOptions at(String host, int port, boolean ssl, String uri) {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setSsl(ssl).setURI(uri);
  }

  /**
   * Counts the prompt of {@code body} (see {@link TokenizeBody}) at {@code target} (see {@link #at}), through
   * {@code client}. Call on an event loop: the deadline runs on it.
   *
   * @param authorization the {@code Authorization} header the server wants, or null
   * @param requestId     the request's id, sent along for the server's logs, or null
   */
  public Future<Count> count(HttpClient client, RequestOptions target, Buffer body, String authorization,
      String requestId) {
    String where = target.getHost() + ":" + target.getPort();
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new Failure(Reason.BUSY, maxInFlight + " exact counts already running"));
    }
    Promise<Count> result = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long timer = vertx.setTimer(deadlineMs, id -> {
      if (result.tryFail(new Failure(Reason.TIMEOUT, where + " did not count within " + deadlineMs + " ms"))
          && sent[0] != null) {
        sent[0].reset();
      }
    });
    client.request(target)
        .compose(req -> {
          // a reset or a dropped connection fails the result below; unhandled, Vert.x would log it as SEVERE
          req.exceptionHandler(ignored -> {
          });
          if (result.future().isComplete()) {
            req.reset();
            return Future.failedFuture(new Failure(Reason.TIMEOUT, "deadline passed before sending"));
          }
          sent[0] = req;
          req.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
          if (authorization != null) {
            req.headers().set(HttpHeaders.AUTHORIZATION, authorization);
          }
          if (requestId != null) {
            req.headers().set("x-request-id", requestId);
          }
          return req.send(body);
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            result.tryFail(ar.cause() instanceof Failure f ? f
                : new Failure(Reason.ERROR, where + ": " + ar.cause().getClass().getSimpleName()));
          } else {
            read(ar.result(), where, result);
          }
        });
    return result.future().andThen(done -> {
      vertx.cancelTimer(timer);
      inFlight.decrementAndGet();
    });
  }

  /** Reads the answer to its end for its count, or fails the result. */
  private static void read(HttpClientResponse response, String where, Promise<Count> result) {
    boolean ok = response.statusCode() == 200;
    UsageNumberScanner count = new UsageNumberScanner("count");
    UsageNumberScanner maxModelLen = new UsageNumberScanner("max_model_len");
    long[] read = new long[1];
    response.exceptionHandler(t -> result.tryFail(new Failure(Reason.ERROR, where + ": answer cut")));
    response.handler(chunk -> {
      read[0] += chunk.length();
      if (read[0] > MAX_ANSWER_BYTES) {
        response.request().reset();
        result.tryFail(new Failure(Reason.ERROR, where + ": answer over " + MAX_ANSWER_BYTES + " bytes"));
      } else if (ok && !result.future().isComplete()) {
        count.feed(chunk, 0, chunk.length());
        maxModelLen.feed(chunk, 0, chunk.length());
      }
    });
    response.endHandler(v -> {
      if (!ok) {
        result.tryFail(new Failure(Reason.ERROR, where + PATH + " answered " + response.statusCode()));
        return;
      }
      count.end();
      maxModelLen.end();
      if (count.value() < 0) {
        result.tryFail(new Failure(Reason.ERROR, where + PATH + " answered without a count"));
      } else {
        result.tryComplete(new Count(count.value(), maxModelLen.value()));
      }
    });
  }
}
