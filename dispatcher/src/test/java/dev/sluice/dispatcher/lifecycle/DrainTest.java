package dev.sluice.dispatcher.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Catalogue #28: SIGTERM stops accepting and lets streams finish up to the grace period. */
class DrainTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** A server whose /stream sends one SSE event every 100 ms, {@code events} times, then [DONE]. */
  private HttpServer streamingServer(int events) {
    return vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse response = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      int[] sent = {0};
      vertx.setPeriodic(100, id -> {
        if (response.closed()) {
          vertx.cancelTimer(id);
          return;
        }
        if (sent[0]++ < events) {
          response.write("data: {\"n\":" + sent[0] + "}\n\n");
        } else {
          vertx.cancelTimer(id);
          response.end("data: [DONE]\n\n");
        }
      });
    }).listen(0).await();
  }

  private static CompletableFuture<String> readStream(int port) throws Exception {
    Socket socket = new Socket("127.0.0.1", port);
    socket.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    in.read();
    return CompletableFuture.supplyAsync(() -> {
      try (socket) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
      } catch (Exception e) {
        return "error: " + e;
      }
    });
  }

  @Test
  void anInFlightStreamFinishesWithinTheGracePeriod() throws Exception {
    HttpServer server = streamingServer(10);
    CompletableFuture<String> body = readStream(server.actualPort());
    Drain drain = new Drain(vertx, Duration.ofSeconds(10)).register(server);
    Future<Void> drained = drain.drain();
    assertThat(body.get()).contains("data: [DONE]");
    drained.await();
    assertThat(drain.draining()).isTrue();
  }

  @Test
  void newConnectionsAreRefusedOnceDrainingStarts() throws Exception {
    // a 3 s stream: the port must be refused while it is still running, not merely once it ended
    HttpServer server = streamingServer(30);
    int port = server.actualPort();
    CompletableFuture<String> body = readStream(port);
    new Drain(vertx, Duration.ofSeconds(10)).register(server).drain();
    Throwable refused = eventuallyRefused(port);
    boolean streamStillOpen = !body.isDone();
    assertThat(new Object[] {refused instanceof ConnectException, streamStillOpen, body.get().contains("[DONE]")})
        .containsExactly(true, true, true);
  }

  /** Connects until the port refuses (the unbind is asynchronous), for at most 10 s; the last outcome. */
  private static Throwable eventuallyRefused(int port) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    Throwable outcome;
    while (!((outcome = catchThrowable(() -> new Socket("127.0.0.1", port).close())) instanceof ConnectException)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return outcome;
  }

  @Test
  void aStreamLongerThanTheGracePeriodIsCutWithoutDone() throws Exception {
    HttpServer server = streamingServer(1_000);
    CompletableFuture<String> body = readStream(server.actualPort());
    new Drain(vertx, Duration.ofMillis(500)).register(server).drain().await();
    assertThat(body.get()).doesNotContain("[DONE]");
  }
}
