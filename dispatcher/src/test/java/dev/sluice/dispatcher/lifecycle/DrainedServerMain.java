package dev.sluice.dispatcher.lifecycle;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/**
 * A separate JVM for the SIGTERM test: a server whose every response is an SSE stream of
 * {@code events} events 100 ms apart, drained by {@link Drain}'s shutdown hook. Prints its port.
 */
public final class DrainedServerMain {

  private DrainedServerMain() {
  }

  public static void main(String[] args) {
    int events = Integer.parseInt(args[0]);
    long graceMillis = Long.parseLong(args[1]);
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse response = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      int[] sent = {0};
      vertx.setPeriodic(100, id -> {
        if (response.closed()) {
          vertx.cancelTimer(id);
        } else if (sent[0]++ < events) {
          response.write("data: {\"n\":" + sent[0] + "}\n\n");
        } else {
          vertx.cancelTimer(id);
          response.end("data: [DONE]\n\n");
        }
      });
    }).listen(0).await();
    new Drain(vertx, Duration.ofMillis(graceMillis)).register(server).installShutdownHook();
    System.out.println("port " + server.actualPort());
    System.out.flush();
  }
}
