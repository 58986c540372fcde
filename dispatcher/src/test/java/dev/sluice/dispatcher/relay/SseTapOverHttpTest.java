package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stripping tap on a real SSE stream: an HTTP server writes the events in uneven pieces over time. */
@ExtendWith(VertxExtension.class)
class SseTapOverHttpTest {

  private static final String HEAD = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",";

  private Vertx vertx;
  private HttpServer server;
  private final List<Integer> chunkSizes = new ArrayList<>();

  private static String upstream() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      s.append(HEAD).append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token ").append(i)
          .append(" \\u00e9\\u65e5\"},\"finish_reason\":null}]}\n\n");
    }
    s.append(HEAD).append("\"choices\":[],\"usage\":{\"prompt_tokens\":2718,\"total_tokens\":2758,"
        + "\"completion_tokens\":40}}\n\n");
    s.append("data: [DONE]\n\n");
    return s.toString();
  }

  private static String clientView() {
    String u = upstream();
    int start = u.indexOf(HEAD + "\"choices\":[]");
    int end = u.indexOf("data: [DONE]");
    return u.substring(0, start) + u.substring(end);
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    byte[] body = upstream().getBytes(StandardCharsets.UTF_8);
    server = vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      Random rnd = new Random(13);
      Future<Void> chain = Future.succeededFuture();
      int from = 0;
      while (from < body.length) {
        int to = Math.min(body.length, from + 1 + rnd.nextInt(90));
        Buffer piece = Buffer.buffer(java.util.Arrays.copyOfRange(body, from, to));
        chain = chain.compose(v -> resp.write(piece)).compose(v -> pause());
        from = to;
      }
      chain.compose(v -> resp.end());
    }).listen(0).await(10, TimeUnit.SECONDS);
  }

  private Future<Void> pause() {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(1, id -> p.complete());
    return p.future();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void clientReceivesTheStreamWithoutTheUsageEventAndUsageIsRead() throws Exception {
    HttpClient client = vertx.createHttpClient();
    SseUsageTap tap = SseUsageTap.stripping();
    Buffer received = Buffer.buffer();
    // started on an event loop, so the chunk handler is set before the first chunk can be delivered
    Promise<Void> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(req -> req.send())
        .compose(resp -> {
          resp.handler(chunk -> {
            chunkSizes.add(chunk.length());
            received.appendBuffer(tap.onChunk(chunk));
          });
          return resp.end();
        })
        .onComplete(done));
    done.future().await(20, TimeUnit.SECONDS);
    received.appendBuffer(tap.onEnd());
    assertThat(chunkSizes.size()).isGreaterThan(5);
    assertThat(received.toString(StandardCharsets.UTF_8)).isEqualTo(clientView());
    assertThat(tap.promptTokens()).isEqualTo(2718);
  }
}
