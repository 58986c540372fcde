package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Upstream addresses go to the access log with the request id, never to a client: no error body and no SSE
 * error event names an upstream's URL, host or port, whatever failed.
 */
class ErrorPrivacyHttpTest extends TwoPoolHttpFixture {
  private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM =
      "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final List<String> lines = new CopyOnWriteArrayList<>();

  /** A node whose short pool is only {@code url}, with short timeouts. */
  private void start(String url) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    DispatcherConfig config = base().withTimeouts(new Timeouts(1000, 300, 300, 1000))
        .withPool(pool("short", SHORT_CONTEXT, url)).withPool(pool("long", LONG_CONTEXT, longUp.url()));
    use(Dispatcher.start(vertx, config, DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()),
        metrics, 2, ReliabilityConfig.DEFAULTS, new AccessLog(64, line -> lines.add(line.toString()))).await());
  }

  /** What the client saw carries no trace of {@code url}; the access log line of the request does. */
  private void assertPrivate(Http.Reply reply, String url, String code) {
    String port = url.substring(url.lastIndexOf(':') + 1);
    String seen = reply.text();
    assertThat(seen).contains(code).doesNotContain(url).doesNotContain("127.0.0.1").doesNotContain(port)
        .doesNotContain("localhost");
    Eventually.eventually(() -> !lines.isEmpty(), "the request was logged");
    JsonObject line = new JsonObject(lines.get(lines.size() - 1));
    assertThat(List.of(line.getString("endpoint"), line.getString("request_id")))
        .containsExactly(url, reply.header("x-request-id"));
  }

  @Test
  void connectFailure() {
    String dead = deadUrl();
    start(dead);
    assertPrivate(http.post("/v1/chat/completions", CHAT), dead, "no_healthy_upstream");
  }

  @Test
  void resetBeforeTheHeaders() {
    shortUp.behavior = (self, req, body) -> req.connection().close();
    start(shortUp.url());
    assertPrivate(http.post("/v1/chat/completions", CHAT), shortUp.url(), "upstream_reset");
  }

  @Test
  void firstByteTimeout() {
    shortUp.behavior = (self, req, body) -> { };
    start(shortUp.url());
    assertPrivate(http.post("/v1/chat/completions", CHAT), shortUp.url(), "upstream_timeout");
  }

  @Test
  void garbageInsteadOfHttp() {
    NetServer junk = vertx.createNetServer()
        .connectHandler(socket -> socket.write("NOT HTTP AT ALL\r\n\r\n").onComplete(ar -> socket.close()))
        .listen(0, "127.0.0.1").await();
    try {
      String url = "http://127.0.0.1:" + junk.actualPort();
      start(url);
      assertPrivate(http.post("/v1/chat/completions", CHAT), url, "upstream_reset");
    } finally {
      junk.close().await();
    }
  }

  @Test
  void deathMidStream() {
    shortUp.behavior = (self, req, body) -> {
      self.stream(req.response(), FakeUpstream.events("short", 2), 10, false);
      self.vertx.setTimer(150, t -> req.connection().close());
    };
    start(shortUp.url());
    Http.Reply reply = http.post("/v1/chat/completions", STREAM);
    assertThat(reply.text()).startsWith(shortUp.sent.toString());
    assertPrivate(reply, shortUp.url(), "upstream_error");
  }
}
