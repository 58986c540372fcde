package dev.sluice.mock;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** One mock vLLM on port 0 and a client to it, for the tests of its endpoints. */
final class MockHttp implements AutoCloseable {

  record Reply(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** One server-sent event: its {@code event:} name and its {@code data:} JSON. */
  record Event(String name, JsonObject data) {
  }

  final MockVllm mock;
  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent client;
  private final int port;

  MockHttp(MockConfig config) {
    vertx = Vertx.vertx();
    mock = new MockVllm(config);
    vertx.deployVerticle(mock).await();
    port = mock.actualPort();
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
  }

  /** Runs the exchange on one event-loop context, so a handler never misses a body that already arrived. */
  private <T> T onLoop(Supplier<Future<T>> exchange) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> exchange.get().onComplete(result));
    return result.future().await();
  }

  Reply post(String path, JsonObject body) {
    return onLoop(() -> client.request(HttpMethod.POST, port, "localhost", path)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader("content-type"),
            b.toString(StandardCharsets.UTF_8)))));
  }

  String get(String path) {
    return onLoop(() -> client.request(HttpMethod.GET, port, "localhost", path)
        .compose(req -> req.send()).compose(HttpClientResponse::body)).toString(StandardCharsets.UTF_8);
  }

  /**
   * The events of an SSE body written as {@code event: name\ndata: json\n\n}; fails on any other framing (a line
   * out of place, a missing blank line, a trailing fragment).
   */
  static List<Event> events(String body) {
    List<Event> events = new ArrayList<>();
    String[] blocks = body.split("\n\n", -1);
    if (!blocks[blocks.length - 1].isEmpty()) {
      throw new AssertionError("stream does not end with a blank line: " + blocks[blocks.length - 1]);
    }
    for (int i = 0; i < blocks.length - 1; i++) {
      String[] lines = blocks[i].split("\n", -1);
      if (lines.length != 2 || !lines[0].startsWith("event: ") || !lines[1].startsWith("data: ")) {
        throw new AssertionError("not an event block: " + blocks[i]);
      }
      events.add(new Event(lines[0].substring(7), new JsonObject(lines[1].substring(6))));
    }
    return events;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
