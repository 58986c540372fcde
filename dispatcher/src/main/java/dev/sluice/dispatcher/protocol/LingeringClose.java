package dev.sluice.dispatcher.protocol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * Closes the connection of a request answered before its body was read (a refusal), the way nginx's lingering
 * close does: the rest of the body is read and dropped, never held, until it ends, or nothing came for
 * {@link #IDLE_MS}, or {@link #MAX_MS} passed; only then is the connection closed. Closing at once would make the
 * kernel reset a connection that still has bytes coming in, and most clients, busy sending, would see the reset
 * instead of the answer.
 */
public final class LingeringClose {
  /** A refused body that stops coming for this long is not waited for. */
  public static final long IDLE_MS = 5_000;
  /** Longest time a refused body is drained, however it trickles. */
  public static final long MAX_MS = 30_000;

  private final HttpConnection connection;
  private final Vertx vertx;
  private final long started = System.nanoTime();
  private long lastChunk = started;
  private long timer = -1;
  private boolean closed;

  private LingeringClose(HttpServerRequest request, Vertx vertx) {
    this.connection = request.connection();
    this.vertx = vertx;
  }

  /** Once {@code answered} is written: drain what is left of the body, then close the connection. */
  public static void after(Future<Void> answered, HttpServerRequest request) {
    LingeringClose linger = new LingeringClose(request,
        Vertx.currentContext() == null ? null : Vertx.currentContext().owner());
    request.handler(chunk -> linger.lastChunk = System.nanoTime());
    request.exceptionHandler(t -> linger.close());
    request.endHandler(v -> linger.close());
    answered.onComplete(ar -> {
      if (request.isEnded() || linger.vertx == null) {
        linger.close();
      } else {
        linger.check();
      }
    });
  }

  private void check() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    long idleLeft = IDLE_MS - (now - lastChunk) / 1_000_000;
    long maxLeft = MAX_MS - (now - started) / 1_000_000;
    if (idleLeft <= 0 || maxLeft <= 0) {
      close();
      return;
    }
    timer = vertx.setTimer(Math.max(1, Math.min(idleLeft, maxLeft)), id -> check());
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (timer >= 0 && vertx != null) {
      vertx.cancelTimer(timer);
    }
    connection.close();
  }
}
