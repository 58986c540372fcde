package dev.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;

/**
 * The cheapest possible chat-completions endpoint: answers every POST at once with a fixed completion, or with a
 * fixed SSE stream when the body asks for {@code "stream":true}. Used to measure the load generator itself.
 */
public final class InstantUpstream extends VerticleBase {

  /** Events in a streamed answer, {@code [DONE]} not included. */
  public static final int STREAM_EVENTS = 8;

  private static final Buffer COMPLETION = Buffer.buffer(("{\"id\":\"cmpl-0\",\"object\":\"chat.completion\","
      + "\"model\":\"instant\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}")
      .getBytes(StandardCharsets.UTF_8));
  private static final Buffer STREAM = stream();
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence SSE = HttpHeaders.createOptimized("text/event-stream");
  private static final byte[] STREAM_TRUE = "\"stream\":true".getBytes(StandardCharsets.US_ASCII);

  /** Bytes kept from the end of a request body. */
  private static final int TAIL = 32;

  private final int port;
  private HttpServer server;

  public InstantUpstream(int port) {
    this.port = port;
  }

  /** Deploys {@code instances} copies sharing one port (0 = any); returns the actual port. */
  public static Future<Integer> deploy(Vertx vertx, int port, int instances) {
    InstantUpstream first = new InstantUpstream(port);
    return vertx.deployVerticle(first).compose(id -> {
      int actual = first.actualPort();
      Future<?> rest = Future.succeededFuture();
      for (int i = 1; i < instances; i++) {
        rest = rest.compose(x -> vertx.deployVerticle(new InstantUpstream(actual)));
      }
      return rest.map(x -> actual);
    });
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0));
    return server.requestHandler(this::handle).listen(port);
  }

  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Answers without aggregating the body: the generator's bodies end with {@code "stream":true}} or
   * {@code "stream":false}}, so only the last bytes are kept.
   */
  private void handle(HttpServerRequest request) {
    byte[] tail = new byte[TAIL];
    int[] filled = {0};
    request.handler(chunk -> {
      int n = Math.min(TAIL, chunk.length());
      int keep = Math.min(TAIL - n, filled[0]);
      System.arraycopy(tail, filled[0] - keep, tail, 0, keep);
      chunk.getBytes(chunk.length() - n, chunk.length(), tail, keep);
      filled[0] = keep + n;
    });
    request.endHandler(v -> {
      MultiMap headers = request.response().headers();
      if (contains(tail, filled[0], STREAM_TRUE)) {
        headers.add(HttpHeaders.CONTENT_TYPE, SSE);
        request.response().end(STREAM);
      } else {
        headers.add(HttpHeaders.CONTENT_TYPE, JSON);
        request.response().end(COMPLETION);
      }
    });
  }

  private static boolean contains(byte[] haystack, int length, byte[] needle) {
    outer:
    for (int i = length - needle.length; i >= 0; i--) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static Buffer stream() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < STREAM_EVENTS; i++) {
      b.append("data: {\"id\":\"cmpl-0\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,")
          .append("\"delta\":{\"content\":\"t").append(i).append("\"},\"finish_reason\":null}]}\n\n");
    }
    b.append("data: [DONE]\n\n");
    return Buffer.buffer(b.toString().getBytes(StandardCharsets.UTF_8));
  }
}
