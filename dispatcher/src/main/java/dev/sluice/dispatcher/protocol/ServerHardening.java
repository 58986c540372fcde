package dev.sluice.dispatcher.protocol;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Turns Vert.x's permissive server defaults into edge defaults.
 *
 * <p>What Netty 4.2.18 + Vert.x 5.1.6 already do on HTTP/1 (checked with raw sockets in
 * ServerHardeningTest): Transfer-Encoding together with Content-Length, duplicate or comma-listed
 * Content-Length, Transfer-Encoding on HTTP/1.0, unknown or non-final transfer codings and whitespace
 * before the colon are all answered 400 and the connection is closed before any request handler runs;
 * an over-long request line gets 414 and an over-large header block 431. A chunk-size line ended by a
 * bare LF reaches the request handler but fails its body, so the front must treat a failed body as 400.
 * What they do not do: bound the time to send headers (no such option exists), and they accept
 * cleartext HTTP/2 by default. Both are fixed here.
 */
public final class ServerHardening {
  /** How long a connection beyond the cap may take to send the request its 503 answers. */
  public static final long REFUSED_GRACE_MS = 1_000;

  private ServerHardening() {
  }

  /** Applies the limits to the options and returns the same options. */
  public static HttpServerOptions apply(HttpServerOptions options, ServerLimits limits) {
    return options
        .setMaxInitialLineLength(limits.maxInitialLineLength())
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setIdleTimeout(limits.idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(limits.h2cEnabled())
        .setDecompressionSupported(false)
        .setHandle100ContinueAutomatically(false);
  }

  /**
   * Installs the connection deadlines and the request handler on a server in one step: the handler
   * is wrapped so each request marks its connection's headers as complete. The handler returns what answers
   * its request when the body misses the deadline (null: a plain 408).
   */
  public static HttpServer install(Vertx vertx, HttpServer server, ServerLimits limits,
      Function<HttpServerRequest, ConnectionDeadlines.SlowBody> requestHandler) {
    ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, limits);
    return server.connectionHandler(deadlines).requestHandler(deadlines.track(requestHandler));
  }

  /**
   * The same with the node's connection cap: a connection beyond it is closed after {@link #REFUSED_GRACE_MS}
   * unless its first request was answered (the request handler asks {@link ConnectionLimit#refuses}).
   */
  public static HttpServer install(Vertx vertx, HttpServer server, ServerLimits limits, ConnectionLimit cap,
      Function<HttpServerRequest, ConnectionDeadlines.SlowBody> requestHandler) {
    ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, limits);
    server.connectionHandler(connection -> {
      if (!cap.opened(connection)) {
        vertx.setTimer(REFUSED_GRACE_MS, id -> connection.close());
      }
      deadlines.opened(connection);
      connection.closeHandler(closed -> {
        deadlines.closed(connection);
        cap.closed(connection);
      });
    });
    return server.requestHandler(deadlines.track(requestHandler));
  }
}
