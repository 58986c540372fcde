package dev.sluice.dispatcher.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Graceful shutdown: stop accepting, let in-flight requests and streams finish up to a grace period,
 * then close what is left and Vert.x itself.
 *
 * <p>Built on {@link HttpServer#shutdown(Duration)}: Vert.x unbinds the port at once, closes idle
 * keep-alive connections, sends HTTP/2 GOAWAY, waits for open requests until the grace period ends,
 * and then closes the remaining connections (verified in DrainTest). {@link #draining()} turns true
 * first so {@code /health/ready} can report not-ready to a load balancer during the drain.
 */
public final class Drain {

  private final Vertx vertx;
  private final Duration grace;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<Runnable> beforeShutdown = new CopyOnWriteArrayList<>();
  private volatile boolean draining;

  public Drain(Vertx vertx, Duration grace) {
    this.vertx = vertx;
    this.grace = grace;
  }

  /** A server to drain (every verticle instance's server). */
  public Drain register(HttpServer server) {
    servers.add(server);
    return this;
  }

  /** Work to run when the drain begins, before servers stop (for example stopping health probes). */
  public Drain onDrain(Runnable action) {
    beforeShutdown.add(action);
    return this;
  }

  public boolean draining() {
    return draining;
  }

  /** Drains every registered server; completes when all are closed (at the latest after the grace period). */
  public Future<Void> drain() {
    draining = true;
    beforeShutdown.forEach(Runnable::run);
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer server : servers) {
      closing.add(server.shutdown(grace));
    }
    return Future.join(closing).mapEmpty();
  }

  /**
   * Installs a JVM shutdown hook (SIGTERM, SIGINT) that drains, then closes Vert.x. The hook thread is
   * not an event loop, so it may wait.
   */
  public Thread installShutdownHook() {
    Thread hook = new Thread(() -> {
      try {
        drain().await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // past the grace period: close regardless
      }
      try {
        vertx.close().await(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // the JVM is exiting
      }
    }, "sluice-drain");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }
}
