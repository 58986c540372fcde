package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.observe.AccessRecord;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One JSON access-log line per request, with the request id propagated to the upstream and back. */
@ExtendWith(VertxExtension.class)
class AccessLogHttpTest {
  private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

  private Vertx vertx;
  private FakeUpstream upstream;
  private Dispatcher dispatcher;
  private HttpClient client;
  private Http http;
  private AccessLog log;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    upstream = new FakeUpstream(vertx, "short").start().await();
    client = vertx.createHttpClient();
    log = new AccessLog(64, line -> lines.add(line.toString()));
    DispatcherConfig config = DispatcherConfig.defaults().withHost("127.0.0.1").withPort(0)
        .withPool(new PoolConfig("short", 8192, List.of(URI.create(upstream.url()))));
    DispatcherMetrics metrics = new DispatcherMetrics();
    dispatcher = Dispatcher.start(vertx, config, DispatcherHooks.calibrating(CalibrationParams.defaults(),
        metrics.registry()), metrics, 1, ReliabilityConfig.DEFAULTS, log).await();
    http = new Http(vertx, client, dispatcher.port());
  }

  @AfterEach
  void tearDown() {
    dispatcher.stop().await();
    client.close().await();
    upstream.close().await();
  }

  private JsonObject onlyLine() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (lines.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(lines).hasSize(1);
    return new JsonObject(lines.get(0));
  }

  @Test
  void clientRequestIdReachesUpstreamResponseAndLog() {
    Http.Reply reply = http.send(HttpMethod.POST, "/v1/chat/completions", CHAT,
        h -> h.set("content-type", "application/json").set("x-request-id", "abc-123"), null);
    assertThat(List.of(reply.header("x-request-id"), upstream.received.get(0).headers().get("x-request-id"),
        onlyLine().getString("request_id"))).containsExactly("abc-123", "abc-123", "abc-123");
  }

  @Test
  void missingRequestIdIsGeneratedAndReturned() {
    Http.Reply reply = http.post("/v1/chat/completions", CHAT);
    assertThat(reply.header("x-request-id")).isNotBlank().isEqualTo(onlyLine().getString("request_id"));
  }

  @Test
  void lineCarriesRoutingAndOutcome() {
    http.post("/v1/chat/completions", CHAT);
    JsonObject line = onlyLine();
    assertThat(line.fieldNames()).containsAll(List.of("ts", "request_id", "pool", "endpoint", "category",
        "text_bytes", "estimate", "budget", "prompt_tokens", "status", "retries", "ttft_ms", "duration_ms", "outcome"));
    assertThat(List.of(line.getString("pool"), line.getString("endpoint"), line.getInteger("status"),
        line.getInteger("prompt_tokens"), line.getLong("text_bytes"), line.getInteger("retries"), line.getString("outcome")))
        .containsExactly("short", upstream.url(), 200, 12, 11L, 0, "ok");
  }

  @Test
  void timingsAreOrdered() {
    http.post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    JsonObject line = onlyLine();
    assertThat(line.getDouble("ttft_ms")).isGreaterThan(0.0).isLessThanOrEqualTo(line.getDouble("duration_ms"));
  }

  @Test
  void fullQueueDropsAndCountsInsteadOfBlocking() throws InterruptedException {
    java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
    AccessLog slow = new AccessLog(2, line -> {
      try {
        stuck.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AccessRecord r = new AccessRecord(0, "id", "p", null, "c", 1, 1, 1, -1, 200, 0, -1, 1, "ok", null);
    for (int i = 0; i < 10; i++) {
      slow.offer(r);
    }
    assertThat(slow.dropped()).isGreaterThanOrEqualTo(7);
    stuck.countDown();
    slow.close();
  }
}
