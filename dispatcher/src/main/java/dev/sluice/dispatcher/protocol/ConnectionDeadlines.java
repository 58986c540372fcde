package dev.sluice.dispatcher.protocol;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.ConcurrentHashMap;

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

  private final Vertx vertx;
  private final long headerDeadlineMillis;
  private final long bodyDeadlineMillis;
  private final ConcurrentHashMap<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

  public ConnectionDeadlines(Vertx vertx, ServerLimits limits) {
    this.vertx = vertx;
    this.headerDeadlineMillis = limits.headerDeadlineMillis();
    this.bodyDeadlineMillis = limits.bodyDeadlineMillis();
  }

  @Override
  public void handle(HttpConnection connection) {
    if (connection.protocolVersion() == HttpVersion.HTTP_2) {
      return;
    }
    Watch watch = new Watch(connection, System.nanoTime());
    watches.put(connection, watch);
    connection.closeHandler(closed -> {
      Watch gone = watches.remove(connection);
      if (gone != null) {
        vertx.cancelTimer(gone.timerId);
      }
    });
    watch.schedule(headerDeadlineMillis);
  }

  /** Wraps the front's request handler so each request marks its connection as past the header phase. */
  public Handler<HttpServerRequest> track(Handler<HttpServerRequest> handler) {
    return request -> {
      Watch watch = watches.get(request.connection());
      if (watch != null) {
        watch.request = request;
        watch.phaseStartNanos = System.nanoTime();
        watch.responseEndSeen = false;
      }
      handler.handle(request);
    };
  }

  /** Connections currently watched (for tests and the admin view). */
  public int watchedConnections() {
    return watches.size();
  }

  private final class Watch {
    final HttpConnection connection;
    HttpServerRequest request;
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

    private void expire(long elapsedMillis, long deadlineMillis, HttpServerRequest slowBody) {
      if (elapsedMillis < deadlineMillis) {
        schedule(deadlineMillis - elapsedMillis);
        return;
      }
      watches.remove(connection);
      if (slowBody != null && !slowBody.response().headWritten()) {
        slowBody.response()
            .setStatusCode(408)
            .putHeader("content-type", "application/json")
            .putHeader("connection", "close")
            .end(REQUEST_TIMEOUT_BODY)
            .eventually(() -> connection.close());
        return;
      }
      connection.close();
    }
  }

  private static final String REQUEST_TIMEOUT_BODY =
      "{\"error\":{\"message\":\"request body not received in time\",\"type\":\"invalid_request_error\","
          + "\"param\":null,\"code\":\"request_timeout\"}}";
}
