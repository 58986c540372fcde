package dev.sluice.dispatcher;

import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.estimate.FixedRatioEstimator;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.relay.ResponseTapFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The common ground of the end-to-end dispatcher tests: a "short" and a "long" fake upstream on port 0, an HTTP
 * client, and whatever dispatcher a test starts, all closed after each test.
 */
@ExtendWith(VertxExtension.class)
abstract class TwoPoolHttpFixture {
  static final int SHORT_CONTEXT = 1000;
  static final int LONG_CONTEXT = 100_000;

  Vertx vertx;
  FakeUpstream shortUp;
  FakeUpstream longUp;
  /** The dispatcher under test, or null before a test starts one (or after it stopped it itself). */
  Dispatcher dispatcher;
  HttpClient client;
  Http http;
  /** The management listener of the dispatcher under test: /metrics, /admin/*. */
  Http admin;
  /** Further upstreams a test started; closed with the rest. */
  final List<FakeUpstream> extra = new ArrayList<>();

  @BeforeEach
  void startUpstreams(Vertx vertx) {
    this.vertx = vertx;
    shortUp = new FakeUpstream(vertx, "short").start().await();
    longUp = new FakeUpstream(vertx, "long").start().await();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stopEverything() {
    if (dispatcher != null) {
      dispatcher.stop().await();
    }
    client.close().await();
    shortUp.close().await();
    longUp.close().await();
    extra.forEach(u -> u.close().await());
  }

  /** Makes {@code started} the dispatcher under test and points {@link #http} at it. */
  void use(Dispatcher started) {
    dispatcher = started;
    http = new Http(vertx, client, started.port());
    admin = new Http(vertx, client, started.managementPort());
  }

  /** Starts a node of this whole configuration (4 bytes a token, no taps) and makes it the one under test. */
  void startNode(NodeConfig node) {
    use(Dispatcher.start(vertx, node, new DispatcherHooks(new FixedRatioEstimator(4.0), ResponseTapFactory.NONE, false),
        new DispatcherMetrics(), 2, AccessLog.OFF).await());
  }

  /** A chat completion asking for 10 tokens, streamed or not. */
  static String chatBody(String content, boolean stream) {
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    return (stream ? body.put("stream", true) : body).encode();
  }

  static DispatcherConfig base() {
    return DispatcherConfig.defaults().withHost("127.0.0.1").withPort(0).withDefaultOutputReserve(256);
  }

  static PoolConfig pool(String name, int context, String... urls) {
    return new PoolConfig(name, context, Arrays.stream(urls).map(URI::create).toList());
  }

  DispatcherConfig twoPools() {
    return base().withPool(pool("short", SHORT_CONTEXT, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url()));
  }

  /** Waits up to 20 s for a client thread a test started. */
  static void join(Thread t) {
    try {
      t.join(20_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The pool of this name in the dispatcher's current pool set. */
  Pool livePool(String name) {
    return dispatcher.upstreams().current().pool(name);
  }

  /** The endpoint with this URL in the dispatcher's current pool set (the first pool that lists it). */
  Endpoint endpoint(String url) {
    return dispatcher.upstreams().current().pools().stream().flatMap(p -> p.endpoints().stream())
        .filter(e -> e.url().equals(url)).findFirst().orElseThrow();
  }

  /** A port nothing listens on. */
  String deadUrl() {
    FakeUpstream u = new FakeUpstream(vertx, "dead").start().await();
    String url = u.url();
    u.close().await();
    return url;
  }
}
