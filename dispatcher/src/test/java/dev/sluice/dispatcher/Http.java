package dev.sluice.dispatcher;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** A test client that records every chunk of a response with its arrival time. */
final class Http {
  record Chunk(long nanos, Buffer data) {
  }

  /** What came back; {@code failure} is set when the response was cut instead of ending. */
  record Reply(int status, MultiMap headers, List<Chunk> chunks, Throwable failure) {
    Buffer body() {
      Buffer all = Buffer.buffer();
      chunks.forEach(c -> all.appendBuffer(c.data()));
      return all;
    }

    String text() {
      return body().toString();
    }

    JsonObject json() {
      return new JsonObject(body());
    }

    JsonObject error() {
      return json().getJsonObject("error");
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private final HttpClient client;
  private final int port;
  private final Context context;

  /** Requests run on one event-loop context, so response handlers are set before any data is delivered. */
  Http(Vertx vertx, HttpClient client, int port) {
    this.client = client;
    this.port = port;
    this.context = vertx.getOrCreateContext();
  }

  /** Without a context: requests start on the calling thread (a tiny response may race its handlers). */
  Http(HttpClient client, int port) {
    this.client = client;
    this.port = port;
    this.context = null;
  }

  /** Runs {@code action} on the client's context and waits for its result. */
  <T> T onContext(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    if (context == null) {
      action.get().onComplete(result);
    } else {
      context.runOnContext(v -> action.get().onComplete(result));
    }
    try {
      return result.future().await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no reply within 20 s", e);
    }
  }

  Reply post(String path, String body) {
    return send(HttpMethod.POST, path, body, h -> h.set("content-type", "application/json"), null);
  }

  Reply get(String path) {
    return send(HttpMethod.GET, path, null, h -> { }, null);
  }

  /** {@code onFirstChunk} runs on the first chunk with the response, e.g. to close the connection. */
  Reply send(HttpMethod method, String path, String body, Consumer<MultiMap> headers,
      Consumer<HttpClientResponse> onFirstChunk) {
    return onContext(() -> client.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
            .setURI(path))
        .compose(req -> {
          req.exceptionHandler(t -> { }); // reported through the response instead
          headers.accept(req.headers());
          return body == null ? req.send() : req.send(Buffer.buffer(body));
        })
        .compose(resp -> collect(resp, onFirstChunk)));
  }

  static Future<Reply> collect(HttpClientResponse resp, Consumer<HttpClientResponse> onFirstChunk) {
    Promise<Reply> done = Promise.promise();
    List<Chunk> chunks = new ArrayList<>();
    resp.handler(b -> {
      chunks.add(new Chunk(System.nanoTime(), b));
      if (chunks.size() == 1 && onFirstChunk != null) {
        onFirstChunk.accept(resp);
      }
    });
    resp.endHandler(v -> done.tryComplete(new Reply(resp.statusCode(), resp.headers(), chunks, null)));
    resp.exceptionHandler(t -> done.tryComplete(new Reply(resp.statusCode(), resp.headers(), chunks, t)));
    return done.future();
  }
}
