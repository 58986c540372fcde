package dev.sluice.dispatcher;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny OpenAI-like upstream for tests: JSON completions, SSE streams with a pause between events,
 * {@code /v1/models}, and scripted misbehaviour. It records what it received and what it sent.
 */
final class FakeUpstream {
  /** How a completion request is answered. */
  interface Behavior {
    void answer(FakeUpstream self, HttpServerRequest request, Buffer body);
  }

  record Received(String uri, MultiMap headers, Buffer body) {
  }

  final String name;
  final Vertx vertx;
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Responses whose connection closed before they ended. */
  final AtomicInteger closedEarly = new AtomicInteger();
  /** Exact bytes of the last response body sent. */
  volatile Buffer sent = Buffer.buffer();
  /** When the last body byte was written (System.nanoTime). */
  final AtomicLong lastWriteNanos = new AtomicLong();
  volatile Behavior behavior = FakeUpstream::openAi;
  volatile JsonArray models;
  /** {@code GET /v1/models} requests received, with their {@code Authorization} (or "" without one). */
  final List<String> modelsAsked = new CopyOnWriteArrayList<>();
  /** The TLS server name (SNI) each completion request's connection asked for, when it came over TLS. */
  final List<String> serverNames = new CopyOnWriteArrayList<>();
  private String host = "127.0.0.1";
  private HttpServer server;

  FakeUpstream(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
    this.models = new JsonArray().add(new JsonObject().put("id", "m-" + name).put("object", "model"));
  }

  Future<FakeUpstream> start() {
    return start(vertx.createHttpServer(), "127.0.0.1", 0);
  }

  /** Listens on {@code host:port} (a loopback address of its own: 127.0.0.2, 127.0.0.3, ...) with {@code server}. */
  Future<FakeUpstream> start(HttpServer server, String host, int port) {
    this.host = host;
    this.server = server.requestHandler(req -> {
      if (req.path().equals("/health")) {
        // the dispatcher's active probe: answered, not recorded
        req.response().end();
        return;
      }
      if (req.path().equals("/metrics")) {
        req.response().setStatusCode(404).end();
        return;
      }
      if (req.path().equals("/v1/models")) {
        String auth = req.getHeader("authorization");
        modelsAsked.add(auth == null ? "" : auth);
        req.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("object", "list").put("data", models).encode());
        return;
      }
      if (req.isSSL()) {
        serverNames.add(String.valueOf(req.connection().indicatedServerName()));
      }
      req.body().onSuccess(body -> {
        received.add(new Received(req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body));
        HttpServerResponse resp = req.response();
        resp.closeHandler(v -> {
          if (!resp.ended()) {
            closedEarly.incrementAndGet();
          }
        });
        behavior.answer(this, req, body);
      });
    });
    return this.server.listen(port, host).map(s -> this);
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://" + host + ":" + port();
  }

  Future<Void> close() {
    return server.close();
  }

  /** Answers like an OpenAI server: SSE when the body asks for a stream, JSON otherwise. */
  static void openAi(FakeUpstream self, HttpServerRequest req, Buffer body) {
    if (body.toString().replace(" ", "").contains("\"stream\":true")) {
      self.stream(req.response(), events(self.name, 5), 20, true);
    } else {
      self.json(req.response(), 200, completion(self.name));
    }
  }

  static String completion(String name) {
    return new JsonObject().put("id", "cmpl-1").put("object", "chat.completion").put("served_by", name)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "Hello from " + name))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 12).put("completion_tokens", 4).put("total_tokens", 16))
        .encode();
  }

  /** {@code count} content events from {@code name}, as SSE lines. */
  static List<String> events(String name, int count) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"served_by\":\"" + name
          + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \u00e9\u4e2d\"}}]}\n\n");
    }
    return out;
  }

  void json(HttpServerResponse resp, int status, String body) {
    Buffer b = Buffer.buffer(body);
    sent = b;
    lastWriteNanos.set(System.nanoTime());
    resp.setStatusCode(status).putHeader("content-type", "application/json").end(b);
  }

  /** Bytes written by {@link #flood}. */
  final AtomicLong flooded = new AtomicLong();

  /** Writes {@code total} bytes of SSE as fast as the connection takes them, honouring backpressure. */
  void flood(HttpServerResponse resp, long total) {
    resp.setChunked(true).putHeader("content-type", "text/event-stream");
    Buffer chunk = Buffer.buffer("data: " + "x".repeat(64 * 1024 - 8) + "\n\n");
    floodMore(resp, chunk, total);
  }

  private void floodMore(HttpServerResponse resp, Buffer chunk, long total) {
    while (!resp.closed() && flooded.get() < total) {
      if (resp.writeQueueFull()) {
        resp.drainHandler(v -> floodMore(resp, chunk, total));
        return;
      }
      resp.write(chunk);
      flooded.addAndGet(chunk.length());
    }
    if (!resp.closed() && !resp.ended()) {
      resp.end();
    }
  }

  /** Writes the events one by one, {@code gapMs} apart, then {@code [DONE]} and the end when {@code finish}. */
  void stream(HttpServerResponse resp, List<String> events, long gapMs, boolean finish) {
    resp.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    resp.writeHead();
    Buffer all = Buffer.buffer();
    sent = all;
    writeNext(resp, events, 0, gapMs, finish, all);
  }

  /** Writes every event and {@code [DONE]} at once, as separate HTTP chunks in the same turn of the event loop. */
  void burst(HttpServerResponse resp, List<String> events) {
    resp.setChunked(true).putHeader("content-type", "text/event-stream");
    Buffer all = Buffer.buffer();
    sent = all;
    for (String e : events) {
      Buffer b = Buffer.buffer(e);
      all.appendBuffer(b);
      resp.write(b);
    }
    Buffer done = Buffer.buffer("data: [DONE]\n\n");
    all.appendBuffer(done);
    lastWriteNanos.set(System.nanoTime());
    resp.end(done);
  }

  /**
   * Writes the first event, then holds the rest until {@code release} completes (or fails), then writes them
   * {@code gapMs} apart and ends with {@code [DONE]}. Lets a test wait for a condition instead of for time.
   */
  void streamHeld(HttpServerResponse resp, List<String> events, long gapMs, Future<?> release) {
    resp.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    resp.writeHead();
    Buffer all = Buffer.buffer();
    sent = all;
    Buffer first = Buffer.buffer(events.get(0));
    all.appendBuffer(first);
    lastWriteNanos.set(System.nanoTime());
    resp.write(first);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    release.onComplete(ar -> context.runOnContext(v -> writeNext(resp, events, 1, gapMs, true, all)));
  }

  private void writeNext(HttpServerResponse resp, List<String> events, int i, long gapMs, boolean finish, Buffer all) {
    if (resp.closed()) {
      return;
    }
    if (i == events.size()) {
      if (finish) {
        Buffer done = Buffer.buffer("data: [DONE]\n\n");
        all.appendBuffer(done);
        lastWriteNanos.set(System.nanoTime());
        resp.end(done);
      }
      return;
    }
    Buffer b = Buffer.buffer(events.get(i));
    all.appendBuffer(b);
    lastWriteNanos.set(System.nanoTime());
    resp.write(b);
    vertx.setTimer(gapMs, t -> writeNext(resp, events, i + 1, gapMs, finish, all));
  }
}
