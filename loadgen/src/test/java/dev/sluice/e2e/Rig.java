package dev.sluice.e2e;

import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Real mock vLLM servers and a real dispatcher node, all on port 0, with a small HTTP client. */
final class Rig implements AutoCloseable {
  static final String MODEL = "sluice-e2e-model";
  static final int SHORT_CONTEXT = 8192;
  static final int LONG_CONTEXT = 65536;
  private static final long CLOSE_SECONDS = 3;

  record Reply(int status, MultiMap headers, Buffer body) {
    String text() {
      return body.toString(StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent client = vertx.createHttpClient();
  private final Context context = vertx.getOrCreateContext();
  private DispatcherMain.Node node;

  /** A mock of current vLLM with instant timing serving {@link #MODEL}; returns its port. */
  int mock(int maxModelLen, PromptCounter.Mode tokenizer) {
    return mock(mockConfig(maxModelLen, tokenizer));
  }

  /** Starts a mock; returns its port. */
  int mock(MockConfig config) {
    MockVllm mock = new MockVllm(config);
    vertx.deployVerticle(mock).await();
    return mock.actualPort();
  }

  /** What {@link #mock(int, PromptCounter.Mode)} starts, to change before starting it. */
  static MockConfig mockConfig(int maxModelLen, PromptCounter.Mode tokenizer) {
    PoolShape shape = new PoolShape("e2e", maxModelLen, 256, 1 << 20, 1 << 16, PoolShape.DEFAULT_BLOCK_SIZE);
    return MockConfig.of(shape, CostModel.INSTANT, tokenizer).withModel(MODEL);
  }

  /** Starts the node in front of the two pools; returns its port. */
  int sluice(int shortPort, int longPort) {
    return sluice(List.of(shortPort), longPort, Map.of());
  }

  /** Starts the node in front of the two pools with these {@code SLUICE_*} variables; returns its port. */
  int sluice(int shortPort, int longPort, Map<String, String> env) {
    return sluice(List.of(shortPort), longPort, env);
  }

  /** The same with several endpoints in the short pool. */
  int sluice(List<Integer> shortPorts, int longPort) {
    return sluice(shortPorts, longPort, Map.of());
  }

  private int sluice(List<Integer> shortPorts, int longPort, Map<String, String> env) {
    StringBuilder shortPool = new StringBuilder("short=" + SHORT_CONTEXT + "@");
    for (int i = 0; i < shortPorts.size(); i++) {
      shortPool.append(i == 0 ? "" : ",").append("http://127.0.0.1:").append(shortPorts.get(i));
    }
    node = DispatcherMain.start(new String[] {"--port", "0", "--host", "127.0.0.1", "--management-port", "0",
        "--pool", shortPool.toString(),
        "--pool", "long=" + LONG_CONTEXT + "@http://127.0.0.1:" + longPort}, env).await();
    return node.dispatcher().port();
  }

  /** Starts a node with these flags besides its listeners' (a {@code --config} file, say); returns its port. */
  int sluiceWith(String... flags) {
    List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1",
        "--management-port", "0"));
    args.addAll(List.of(flags));
    node = DispatcherMain.start(args.toArray(String[]::new), Map.of()).await();
    return node.dispatcher().port();
  }

  /** The management listener's port of the node last started ({@code /metrics}, {@code /admin/*}). */
  int management() {
    return node.dispatcher().managementPort();
  }

  /** The running node. */
  DispatcherMain.Node node() {
    return node;
  }

  /**
   * A pass-through proxy in front of {@code targetPort} that keeps every request body it forwards: it
   * shows what the upstream actually received.
   */
  Recorder recorder(int targetPort) {
    Recorder rec = new Recorder();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().compose(body -> {
      if (req.method() == HttpMethod.POST) {
        // completions only: the dispatcher's health probes and model listings pass through unrecorded
        rec.bodies.add(body.toString(StandardCharsets.UTF_8));
      }
      RequestOptions to = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(targetPort)
          .setURI(req.uri());
      return client.request(to).compose(up -> {
        up.headers().set("content-type", req.getHeader("content-type"));
        return up.send(body);
      }).compose(resp -> {
        req.response().setStatusCode(resp.statusCode()).setChunked(true);
        String type = resp.getHeader("content-type");
        if (type != null) {
          req.response().putHeader("content-type", type);
        }
        return resp.pipeTo(req.response());
      });
    }).onFailure(err -> req.response().reset()));
    rec.port = server.listen(0, "127.0.0.1").await().actualPort();
    return rec;
  }

  static final class Recorder {
    final List<String> bodies = new CopyOnWriteArrayList<>();
    int port;
  }

  Reply post(int port, String path, JsonObject body) {
    return post(port, path, body, Map.of());
  }

  Reply post(int port, String path, JsonObject body, Map<String, String> headers) {
    return onContext(() -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(port).setURI(path))
        .compose(req -> {
          req.headers().set("content-type", "application/json");
          headers.forEach(req.headers()::set);
          return req.send(body.toBuffer());
        })
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b))));
  }

  Reply get(int port, String path) {
    return onContext(() -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(port).setURI(path))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b))));
  }

  /** Requests start on one event-loop context, so their response handlers are set before data arrives. */
  private <T> T onContext(java.util.function.Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    try {
      return result.future().await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no reply within 60 s", e);
    }
  }

  static JsonObject chat(String text, int maxTokens) {
    return new JsonObject().put("model", MODEL).put("max_tokens", maxTokens)
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user")
            .put("content", text)));
  }

  static String corpus(String file) throws Exception {
    String shared = System.getProperty("sluice.shared", "../../shared");
    return Files.readString(Path.of(shared, "data", "corpus", file), StandardCharsets.UTF_8);
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    if (node != null) {
      node.close();
    }
    try {
      vertx.close().await(CLOSE_SECONDS, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort
    }
  }
}
