package dev.sluice.dispatcher.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The prober against a real HTTP server on port 0 that plays a vLLM endpoint. */
class HealthProberTest {

  private Vertx vertx;
  private final AtomicInteger healthStatus = new AtomicInteger(200);
  private volatile String metrics = "vllm:num_requests_running{engine=\"0\"} 3\nvllm:num_requests_waiting{engine=\"0\"} 4\nvllm:kv_cache_usage_perc{engine=\"0\"} 0.5\n";
  private HttpServer server;
  private PoolHealth pool;
  private HealthProber prober;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/health" -> req.response().setStatusCode(healthStatus.get()).end();
        case "/metrics" -> req.response().putHeader("content-type", "text/plain; version=0.0.4").end(metrics);
        default -> req.response().setStatusCode(404).end();
      }
    });
    int port = server.listen(0).await().actualPort();
    pool = pool("http://127.0.0.1:" + port, OutlierPolicy.DEFAULTS.withProbing(0, 500, 0));
    prober = prober(pool);
  }

  @AfterEach
  void stop() {
    prober.stop().await();
    vertx.close().await();
  }

  private static PoolHealth pool(String url, OutlierPolicy policy) {
    return new PoolHealth("short", List.of(url), policy);
  }

  private HealthProber prober(PoolHealth health) {
    EndpointHealth e = health.endpoint(0);
    Map<String, HealthProber.Target> targets = Map.of(e.url(), HealthProber.Target.at(e.url(), List.of(e)));
    return new HealthProber(vertx, health.policy(), () -> targets);
  }

  private EndpointHealth endpoint() {
    return pool.endpoint(0);
  }

  @Test
  void scrapePublishesTheLoad() {
    prober.scrapeAll().await();
    EndpointLoad load = endpoint().load();
    assertThat(load.running()).isEqualTo(3.0);
    assertThat(load.waiting()).isEqualTo(4.0);
    assertThat(load.kvCacheUsage()).isEqualTo(0.5);
  }

  @Test
  void everyScrapeRoundCalledFromAPlainThreadPublishesItsBody() {
    // a round begun off the event loop once lost small bodies that arrived before their handler was set
    for (int i = 1; i <= 50; i++) {
      metrics = "vllm:num_requests_running{engine=\"0\"} " + i + "\nvllm:num_requests_waiting{engine=\"0\"} 0\n"
          + "vllm:kv_cache_usage_perc{engine=\"0\"} 0.5\n";
      prober.scrapeAll().await();
      assertThat(endpoint().load().running()).as("round " + i).isEqualTo(i);
    }
  }

  @Test
  void failingProbesMarkTheEndpointDown() {
    healthStatus.set(503);
    prober.probeAll().await();
    prober.probeAll().await();
    assertThat(endpoint().probeHealthy()).isFalse();
  }

  @Test
  void aPassingProbeBringsItBack() {
    healthStatus.set(503);
    prober.probeAll().await();
    prober.probeAll().await();
    healthStatus.set(200);
    prober.probeAll().await();
    assertThat(endpoint().probeHealthy()).isTrue();
  }

  @Test
  void aServerWithoutAHealthRouteCountsAsUp() {
    healthStatus.set(404);
    prober.probeAll().await();
    prober.probeAll().await();
    assertThat(endpoint().probeHealthy()).isTrue();
  }

  @Test
  void aClosedPortFailsTheProbe() {
    server.close().await();
    prober.probeAll().await();
    prober.probeAll().await();
    assertThat(endpoint().probeHealthy()).isFalse();
  }

  @Test
  void aScrapeWithoutVllmGaugesKeepsTheLastSnapshot() {
    prober.scrapeAll().await();
    EndpointLoad before = endpoint().load();
    metrics = "garbage without any vllm gauge\n";
    prober.scrapeAll().await();
    assertThat(endpoint().load()).isSameAs(before);
  }

  @Test
  void periodicProbingRunsOnItsOwn() throws Exception {
    PoolHealth periodic = pool("http://127.0.0.1:" + server.actualPort(), OutlierPolicy.DEFAULTS.withProbing(50, 500, 50));
    HealthProber running = prober(periodic).start();
    try {
      long deadline = System.currentTimeMillis() + 5_000;
      while (!periodic.endpoint(0).load().known() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(periodic.endpoint(0).load().waiting()).isEqualTo(4.0);
    } finally {
      running.stop().await();
    }
  }
}
