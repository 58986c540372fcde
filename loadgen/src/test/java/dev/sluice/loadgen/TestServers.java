package dev.sluice.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The load generator's live-test kit: chat servers on port 0 on their own Vert.x, and a two-loop Vert.x for the
 * generator, both closed after each test. Register with {@code @RegisterExtension final TestServers servers = new
 * TestServers();}.
 */
final class TestServers implements AfterEachCallback {

  private Vertx serverVertx;
  private Vertx clientVertx;

  /** The Vert.x the servers run on. */
  Vertx vertx() {
    if (serverVertx == null) {
      serverVertx = Vertx.vertx();
    }
    return serverVertx;
  }

  /** A Vert.x with two event loops for the generator. */
  Vertx client() {
    if (clientVertx == null) {
      clientVertx = Loadgen.vertx(2);
    }
    return clientVertx;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (clientVertx != null) {
      clientVertx.close().await();
      clientVertx = null;
    }
    if (serverVertx != null) {
      serverVertx.close().await();
      serverVertx = null;
    }
  }

  /** A server that answers every request after a fixed hold, counting concurrency and keeping every body. */
  static final class Holding {
    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();
    /** Bodies in the order they arrived. */
    final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    /** {@code System.nanoTime()} of each arrival, in order. */
    final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    int port;

    String url() {
      return "http://127.0.0.1:" + port;
    }

    List<String> bodyList() {
      return List.copyOf(bodies);
    }
  }

  Holding holding(long holdMillis) {
    Vertx vertx = vertx();
    Holding h = new Holding();
    h.port = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      h.arrivals.add(System.nanoTime());
      h.bodies.add(b.toString());
      h.max.accumulateAndGet(h.current.incrementAndGet(), Math::max);
      Runnable answer = () -> {
        h.current.decrementAndGet();
        req.response().putHeader("content-type", "application/json")
            .end("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}");
      };
      if (holdMillis > 0) {
        vertx.setTimer(holdMillis, id -> answer.run());
      } else {
        answer.run();
      }
    })).listen(0).await().actualPort();
    return h;
  }

  /**
   * A streaming server shaped like vLLM's chat stream: after {@code firstMillis} the role chunk and the first token
   * in one write, then one token every {@code gapMillis} up to {@code tokens}, then {@code [DONE]}.
   */
  int streaming(long firstMillis, long gapMillis, int tokens) {
    Vertx vertx = vertx();
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      HttpServerResponse r = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      vertx.setTimer(firstMillis, id -> {
        r.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
            + token(0));
        next(vertx, r, 1, tokens, gapMillis);
      });
    })).listen(0).await().actualPort();
  }

  private static String token(int i) {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" t" + i + "\"}}]}\n\n";
  }

  private static void next(Vertx vertx, HttpServerResponse r, int i, int tokens, long gapMillis) {
    if (i >= tokens) {
      r.end("data: [DONE]\n\n");
      return;
    }
    vertx.setTimer(gapMillis, id -> {
      r.write(token(i));
      next(vertx, r, i + 1, tokens, gapMillis);
    });
  }
}
