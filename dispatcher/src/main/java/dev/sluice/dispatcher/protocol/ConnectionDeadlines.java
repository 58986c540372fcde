package dev.sluice.dispatcher.protocol;

import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The slowloris guard Vert.x lacks: a per-connection timer that closes an HTTP/1 connection which has
 * not completed a request's headers within the header deadline, or a request's body within the body
 * deadline.
 *
 * <p>Install as the server's connection handler, and wrap the request handler with {@link #track}.
 * The timer is armed when the connection opens. When it fires it looks at the latest request seen on
 * the connection: none yet means the headers never completed, so the connection closes. A request
 * whose body is still arriving past the body deadline gets 408 (when nothing was written yet) and the
 * connection closes. A request still being answered (a long stream) is left alone and checked again
 * later. Once the response has ended, the connection gets one more header deadline for its next
 * request, so a keep-alive connection cannot be held by trickling bytes either; the precision of that
 * second deadline is one to two deadlines, which is enough against a resource-exhaustion attack.
 * HTTP/2 connections are left to the HTTP/2 codec's own stream limits.
 */
public final class ConnectionDeadlines implements Handler<HttpConnection> {

  /** Answers a request whose body missed the body deadline (the connection is closed once it has). */
  public interface SlowBody {
    Future<Void> bodyTimedOut();
  }

  public static final String SLOW_BODY_MESSAGE = "request body not received in time";

  private final Vertx vertx;
  private final long headerDeadlineMillis;
  private final long bodyDeadlineMillis;
  private final ConcurrentHashMap<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

  public ConnectionDeadlines(Vertx vertx, ServerLimits limits) {
    this.vertx = vertx;
    this.headerDeadlineMillis = limits.headerDeadlineMillis();
    this.bodyDeadlineMillis = limits.bodyDeadlineMillis();
  }

  /** As the server's connection handler: watches the connection and forgets it when it closes. */
  @Override
  public void handle(HttpConnection connection) {
    opened(connection);
    connection.closeHandler(closed -> closed(connection));
  }

  /** Starts watching a connection; whoever owns its close handler calls {@link #closed}. */
  void opened(HttpConnection connection) {
    if (connection.protocolVersion() == HttpVersion.HTTP_2) {
      return;
    }
    Watch watch = new Watch(connection, System.nanoTime());
    watches.put(connection, watch);
    watch.schedule(headerDeadlineMillis);
  }

  void closed(HttpConnection connection) {
    Watch gone = watches.remove(connection);
    if (gone != null) {
      vertx.cancelTimer(gone.timerId);
    }
  }

  /**
   * Wraps the front's request handler so each request marks its connection as past the header phase. The
   * handler returns what answers the request if its body misses the deadline, or null for a plain 408.
   */
  public Handler<HttpServerRequest> track(Function<HttpServerRequest, SlowBody> handler) {
    return request -> {
      Watch watch = watches.get(request.connection());
      if (watch != null) {
        watch.request = request;
        watch.slowBody = null;
        watch.phaseStartNanos = System.nanoTime();
        watch.responseEndSeen = false;
      }
      SlowBody slowBody = handler.apply(request);
      if (watch != null && watch.request == request) {
        watch.slowBody = slowBody;
      }
    };
  }

  /** Connections currently watched (for tests and the admin view). */
  public int watchedConnections() {
    return watches.size();
  }

  private final class Watch {
    final HttpConnection connection;
    HttpServerRequest request;
    SlowBody slowBody;
    long phaseStartNanos;
    boolean responseEndSeen;
    long timerId;

    Watch(HttpConnection connection, long openedNanos) {
      this.connection = connection;
      this.phaseStartNanos = openedNanos;
    }

    void schedule(long delayMillis) {
      timerId = vertx.setTimer(Math.max(1, delayMillis), id -> check());
    }

    private void check() {
      if (!watches.containsKey(connection)) {
        return;
      }
      long elapsedMillis = (System.nanoTime() - phaseStartNanos) / 1_000_000;
      HttpServerRequest current = request;
      if (current == null) {
        expire(elapsedMillis, headerDeadlineMillis, null);
        return;
      }
      HttpServerResponse response = current.response();
      if (!current.isEnded() && !response.ended()) {
        expire(elapsedMillis, bodyDeadlineMillis, current);
        return;
      }
      if (!response.ended()) {
        // Body read, response in progress (possibly a long stream): not ours to cut.
        schedule(headerDeadlineMillis);
        return;
      }
      if (!responseEndSeen) {
        // The response ended some time before now: the next request's headers get a fresh deadline.
        responseEndSeen = true;
        phaseStartNanos = System.nanoTime();
        schedule(headerDeadlineMillis);
        return;
      }
      expire(elapsedMillis, headerDeadlineMillis, null);
    }

    private void expire(long elapsedMillis, long deadlineMillis, HttpServerRequest reading) {
      if (elapsedMillis < deadlineMillis) {
        schedule(deadlineMillis - elapsedMillis);
        return;
      }
      watches.remove(connection);
      if (reading != null && !reading.response().headWritten()) {
        Future<Void> written = slowBody != null ? slowBody.bodyTimedOut()
            : ErrorResponses.send(reading.response(), FailureKind.REQUEST_TIMEOUT, SLOW_BODY_MESSAGE, null, true, 0);
        written.eventually(() -> connection.close());
        return;
      }
      connection.close();
    }
  }
}
