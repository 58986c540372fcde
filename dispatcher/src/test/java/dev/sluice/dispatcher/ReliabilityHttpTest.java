package dev.sluice.dispatcher;

import dev.sluice.calibration.CalibrationParams;
import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault catalogue end to end: a real dispatcher on port 0 in front of fake upstreams, with the
 * reliability and security components switched on. Numbers in the names refer to
 * docs/reliability.md.
 */
class ReliabilityHttpTest extends TwoPoolHttpFixture {
  private static final String KEY = "sk-test-0123456789";

  /** After every fault: every slot, waiter, retry token and endpoint in-flight count back at zero. */
  @AfterEach
  void everyCounterIsBackAtZero() {
    // runs before the fixture's own @AfterEach, so while the dispatcher is still up
    if (dispatcher != null) {
      eventually(() -> dispatcher.upstreams().current().pools().stream().allMatch(p ->
              p.inFlight() == 0
                  && p.admission().inFlight() == 0
                  && p.admission().waiting() == 0)
              && dispatcher.retries().active() == 0,
          "every counter is back at zero");
    }
  }

  /** Reliability defaults, but probes off (tests drive health explicitly) unless a test turns them on. */
  private static ReliabilityConfig quiet() {
    return ReliabilityConfig.DEFAULTS.withHealth(OutlierPolicy.DEFAULTS.withProbing(0, 500, 0));
  }

  private void start(DispatcherConfig config, ReliabilityConfig reliability) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, config, hooks(metrics), metrics, 2,
        reliability).await());
  }

  private static String chat(String content, boolean stream) {
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    if (stream) {
      body.put("stream", true);
    }
    return body.encode();
  }

  private static String imageChat(String url) {
    JsonArray parts = new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "what is this?"))
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url)));
    return new JsonObject().put("model", "m").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", parts))).encode();
  }

  private Http.Reply postWithKey(String key, String body) {
    return http.send(HttpMethod.POST, "/v1/chat/completions", body, h -> {
      h.set("content-type", "application/json");
      if (key != null) {
        h.set("authorization", "Bearer " + key);
      }
    }, null);
  }

  private static String raw(int port, String request, int quietMillis) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        in.transferTo(out);
      } catch (SocketTimeoutException quiet) {
        out.write("<still open>".getBytes(StandardCharsets.US_ASCII));
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  // ---- security ----------------------------------------------------------------------------------

  private ReliabilityConfig withKey(long requestsPerMinute) {
    return quiet().withKeys(List.of(new ApiKey("tenant-a", ApiKeys.sha256Hex(KEY), requestsPerMinute, 0)));
  }

  @Test
  void case09MissingKeyIs401AndNothingGoesUpstream() {
    start(twoPools(), withKey(0));
    Http.Reply reply = postWithKey(null, chat("hi", false));
    assertThat(reply.status() + " " + reply.error().getString("code") + " " + shortUp.received.size())
        .isEqualTo("401 invalid_api_key 0");
  }

  @Test
  void case09WrongKeyIs401() {
    start(twoPools(), withKey(0));
    assertThat(postWithKey("sk-wrong", chat("hi", false)).status()).isEqualTo(401);
  }

  @Test
  void case09ValidKeyPassesAndIsNotForwarded() {
    start(twoPools(), withKey(0));
    Http.Reply reply = postWithKey(KEY, chat("hi", false));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(shortUp.received.get(0).headers().get("authorization")).isNull();
  }

  @Test
  void case10TenantOverItsRequestLimitGets429WithoutAnUpstreamCall() {
    start(twoPools(), withKey(2));
    postWithKey(KEY, chat("hi", false));
    postWithKey(KEY, chat("hi", false));
    Http.Reply third = postWithKey(KEY, chat("hi", false));
    assertThat(third.status() + " " + third.error().getString("code") + " " + shortUp.received.size())
        .isEqualTo("429 rate_limit_exceeded 2");
    assertThat(Integer.parseInt(third.header("retry-after"))).isBetween(1, 60);
  }

  @Test
  void thePoolsOwnKeyReplacesTheClientsOnTheWayUp() {
    start(twoPools(), withKey(0).withUpstreamKeys(java.util.Map.of("short", "vllm-short-secret")));
    postWithKey(KEY, chat("hi", false));
    assertThat(shortUp.received.get(0).headers().get("authorization")).isEqualTo("Bearer vllm-short-secret");
  }

  @Test
  void case29MetadataImageUrlIs400AndNeverFetched() {
    start(twoPools(), quiet());
    Http.Reply reply = http.post("/v1/chat/completions", imageChat("http://169.254.169.254/latest/meta-data/"));
    assertThat(reply.status() + " " + reply.error().getString("code") + " " + shortUp.received.size() + longUp.received.size())
        .isEqualTo("400 image_url_not_allowed 00");
  }

  @Test
  void case29InlineImageIsForwarded() {
    start(twoPools(), quiet());
    Http.Reply reply = http.post("/v1/chat/completions", imageChat("data:image/png;base64,iVBORw0KGgo="));
    assertThat(reply.status()).isEqualTo(200);
  }

  // ---- upstream health -----------------------------------------------------------------------------

  @Test
  void case13RefusingReplicaIsRetriedAroundAndEjected() {
    String dead = deadUrl();
    start(base().withPool(pool("short", SHORT_CONTEXT, dead, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())),
        quiet().withHealth(OutlierPolicy.DEFAULTS.withEjection(2, 60_000, 120_000).withProbing(0, 500, 0)));
    // distinct prompts have distinct affinity keys, spread over both replicas (about half reach the dead one)
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 40 && endpoint(dead).available(System.nanoTime()); i++) {
      statuses.add(http.post("/v1/chat/completions", chat("hi " + i, false)).status());
    }
    assertThat(statuses).containsOnly(200);
    assertThat(endpoint(dead).available(System.nanoTime())).isFalse();
  }

  @Test
  void case14AllReplicasDownIsAFast503WithRetryAfter() {
    String dead = deadUrl();
    start(base().withPool(pool("short", SHORT_CONTEXT, dead)).withPool(pool("long", LONG_CONTEXT, longUp.url())),
        ReliabilityConfig.DEFAULTS.withHealth(OutlierPolicy.DEFAULTS.withProbing(50, 200, 0)));
    eventually(() -> livePool("short").admission().capacity() == 0, "the probe marked the replica down");
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(List.of(reply.status(), reply.error().getString("code"), reply.header("retry-after")))
        .containsExactly(503, "no_healthy_upstream", "5");
  }

  @Test
  void case15SilentReplicaIsRetriedOnAnotherWithinTheDeadline() {
    FakeUpstream silent = new FakeUpstream(vertx, "silent").start().await();
    extra.add(silent);
    silent.behavior = (self, req, body) -> { };
    DispatcherConfig c = base().withPool(pool("short", SHORT_CONTEXT, silent.url(), shortUp.url()))
        .withPool(pool("long", LONG_CONTEXT, longUp.url()))
        .withTimeouts(new dev.sluice.dispatcher.config.Timeouts(1000, 300, 1000, 1000));
    start(c, quiet());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 20 && silent.received.isEmpty(); i++) {
      statuses.add(http.post("/v1/chat/completions", chat("hi " + i, false)).status());
    }
    assertThat(statuses).containsOnly(200);
    assertThat(silent.received).isNotEmpty();
  }

  @Test
  void case16Upstream503IsRetriedOnAnotherReplica() {
    FakeUpstream busy = new FakeUpstream(vertx, "busy").start().await();
    extra.add(busy);
    busy.behavior = (self, req, body) -> self.json(req.response(), 503,
        "{\"error\":{\"message\":\"queue full\",\"type\":\"ServiceUnavailableError\",\"param\":null,\"code\":503}}");
    start(base().withPool(pool("short", SHORT_CONTEXT, busy.url(), shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())), quiet());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 40 && busy.received.size() < 2; i++) {
      statuses.add(http.post("/v1/chat/completions", chat("hi " + i, false)).status());
    }
    assertThat(statuses).containsOnly(200);
    assertThat(busy.received).hasSize(2);
    assertThat(endpoint(busy.url()).available(System.nanoTime())).as("a busy replica is not ejected").isTrue();
  }

  @Test
  void case16Upstream429IsForwardedWithItsRetryAfter() {
    shortUp.behavior = (self, req, body) -> {
      req.response().putHeader("retry-after", "7");
      self.json(req.response(), 429,
          "{\"error\":{\"message\":\"too many\",\"type\":\"RateLimitError\",\"param\":null,\"code\":429}}");
    };
    start(twoPools(), quiet());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(reply.status() + " " + reply.header("retry-after")).isEqualTo("429 7");
  }

  @Test
  void case17GarbageBeforeTheFirstEventIsRetriedElsewhere() {
    java.util.concurrent.atomic.AtomicInteger junkConnections = new java.util.concurrent.atomic.AtomicInteger();
    NetServer junk = vertx.createNetServer()
        .connectHandler(socket -> {
          junkConnections.incrementAndGet();
          socket.write("NOT HTTP AT ALL\r\n\r\n").onComplete(ar -> socket.close());
        })
        .listen(0, "127.0.0.1").await();
    String junkUrl = "http://127.0.0.1:" + junk.actualPort();
    try {
      start(base().withPool(pool("short", SHORT_CONTEXT, junkUrl, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())), quiet());
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 40 && junkConnections.get() < 2; i++) {
        statuses.add(http.post("/v1/chat/completions", chat("hi " + i, false)).status());
      }
      assertThat(statuses).containsOnly(200);
      assertThat(junkConnections.get()).isGreaterThanOrEqualTo(2);
    } finally {
      junk.close().await();
    }
  }

  @Test
  void case18MidStreamDeathCountsAgainstTheReplica() {
    shortUp.behavior = (self, req, body) -> {
      self.stream(req.response(), FakeUpstream.events("short", 20), 50, true);
      self.vertx.setTimer(200, t -> req.connection().close());
    };
    start(twoPools(), quiet());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", true));
    assertThat(reply.text()).doesNotContain("[DONE]").contains("\"code\":\"upstream_error\"");
    assertThat(endpoint(shortUp.url()).health().consecutiveFailures()).isEqualTo(1);
  }

  @Test
  void aReplicaReportingAQueueIsAvoided() {
    FakeUpstream other = new FakeUpstream(vertx, "other").start().await();
    extra.add(other);
    start(base().withPool(pool("short", SHORT_CONTEXT, shortUp.url(), other.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())), quiet());
    endpoint(shortUp.url()).health()
        .publishLoad(new dev.sluice.dispatcher.health.EndpointLoad(64, 30, 0.9, System.nanoTime()));
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      served.add(http.post("/v1/chat/completions", chat("hi", false)).json().getString("served_by"));
    }
    assertThat(served).containsOnly("other");
  }

  @Test
  void adminViewShowsEjectionAndAdmission() {
    String dead = deadUrl();
    start(base().withPool(pool("short", SHORT_CONTEXT, dead, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())),
        quiet().withHealth(OutlierPolicy.DEFAULTS.withEjection(1, 60_000, 120_000).withProbing(0, 500, 0)));
    for (int i = 0; i < 40 && endpoint(dead).available(System.nanoTime()); i++) {
      http.post("/v1/chat/completions", chat("hi " + i, false));
    }
    JsonObject shortPool = admin.get("/admin/pools").json().getJsonArray("pools").getJsonObject(0);
    JsonObject deadHealth = shortPool.getJsonArray("endpoints").getJsonObject(0).getJsonObject("health");
    assertThat(deadHealth.getBoolean("available")).isFalse();
    assertThat(deadHealth.getLong("ejectedForMs")).isPositive();
    assertThat(shortPool.getJsonObject("admission").getInteger("capacity"))
        .isEqualTo(AdmissionPolicy.DEFAULTS.maxInFlightPerEndpoint());
  }

  @Test
  void metricsShowEndpointHealthAndAdmission() {
    String dead = deadUrl();
    start(base().withPool(pool("short", SHORT_CONTEXT, dead, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())),
        quiet().withHealth(OutlierPolicy.DEFAULTS.withEjection(1, 60_000, 120_000).withProbing(0, 500, 0)));
    for (int i = 0; i < 40 && endpoint(dead).available(System.nanoTime()); i++) {
      http.post("/v1/chat/completions", chat("hi " + i, false));
    }
    String text = admin.get("/metrics").text();
    assertThat(text).contains("sluice_endpoint_available{endpoint=\"" + dead + "\",pool=\"short\"} 0.0");
    assertThat(text).contains("sluice_endpoint_ejections_total{endpoint=\"" + dead + "\",pool=\"short\"} 1.0");
    assertThat(text).contains("sluice_admission_capacity{pool=\"short\"} " + AdmissionPolicy.DEFAULTS.maxInFlightPerEndpoint() + ".0");
  }

  @Test
  void spillOverSendsAShortRequestToTheLongPoolWhenTheShortPoolIsSaturated() {
    start(twoPools(), quiet().withSpillOver(true));
    endpoint(shortUp.url()).health()
        .publishLoad(new dev.sluice.dispatcher.health.EndpointLoad(256, 40, 0.99, System.nanoTime()));
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(reply.header("x-sluice-pool")).isEqualTo("long");
  }

  @Test
  void withoutSpillOverASaturatedShortPoolKeepsItsRequests() {
    start(twoPools(), quiet());
    endpoint(shortUp.url()).health()
        .publishLoad(new dev.sluice.dispatcher.health.EndpointLoad(256, 40, 0.99, System.nanoTime()));
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(reply.header("x-sluice-pool")).isEqualTo("short");
  }

  @Test
  void case08ClientErrorsNeverEjectAReplica() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 422,
        "{\"error\":{\"message\":\"bad\",\"type\":\"BadRequestError\",\"param\":null,\"code\":422}}");
    start(base().withPool(pool("short", SHORT_CONTEXT, shortUp.url(), longUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())),
        quiet().withHealth(OutlierPolicy.DEFAULTS.withEjection(1, 60_000, 120_000).withProbing(0, 500, 0)));
    for (int i = 0; i < 40 && shortUp.received.size() < 3; i++) {
      http.post("/v1/chat/completions", chat("hi " + i, false));
    }
    assertThat(shortUp.received).hasSize(3);
    assertThat(endpoint(shortUp.url()).available(System.nanoTime())).isTrue();
  }

  private static final String VALIDATION_500 = "{\"error\":{\"message\":\"This model's maximum context length is 1000 tokens. "
      + "However, your request has 1200 input tokens. Please reduce the length of the input messages.\","
      + "\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}";

  @Test
  void case08ValidationErrorReportedAs500BecomesA400WithoutEjection() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 500, VALIDATION_500);
    start(base().withPool(pool("short", SHORT_CONTEXT, shortUp.url())),
        quiet().withHealth(OutlierPolicy.DEFAULTS.withEjection(1, 60_000, 120_000).withProbing(0, 500, 0)));
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.text()).contains("maximum context length");
    assertThat(endpoint(shortUp.url()).health().consecutiveFailures()).isZero();
  }

  @Test
  void case08ValidationErrorReportedAs500OnTheShortPoolIsRetriedOnTheLongPool() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 500, VALIDATION_500);
    start(twoPools(), quiet());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(reply.status() + " " + reply.header("x-sluice-pool")).isEqualTo("200 long");
    eventually(() -> livePool("short").admission().inFlight() == 0
        && livePool("long").admission().inFlight() == 0, "both pools' slots were released");
  }

  @Test
  void aGenuine500CountsAgainstTheReplica() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 500,
        "{\"error\":{\"message\":\"CUDA error: an illegal memory access\",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}");
    start(twoPools(), quiet());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", false));
    assertThat(reply.status()).isEqualTo(500);
    assertThat(endpoint(shortUp.url()).health().consecutiveFailures()).isEqualTo(1);
  }

  // ---- admission -----------------------------------------------------------------------------------

  private static ReliabilityConfig oneSlot(int waiters, long waitMillis) {
    return quiet().withAdmission(new AdmissionPolicy(1, waiters, waitMillis, 1, 5));
  }

  @Test
  void case25ContendedPoolAnswers429WithRetryAfter() {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 20), 50, true);
    start(twoPools(), oneSlot(0, 0));
    Http.Reply[] first = new Http.Reply[1];
    Thread t = new Thread(() -> first[0] = http.post("/v1/chat/completions", chat("hi", true)));
    t.start();
    eventually(() -> shortUp.received.size() == 1, "the first request holds the only slot");
    Http.Reply second = http.post("/v1/chat/completions", chat("hi", false));
    join(t);
    assertThat(List.of(second.status(), second.error().getString("code"), second.header("retry-after"), first[0].status()))
        .containsExactly(429, "pool_saturated", "1", 200);
  }

  @Test
  void case21ClientLeavingWhileQueuedIsNeverDispatched() throws Exception {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 10), 50, true);
    start(twoPools(), oneSlot(4, 10_000));
    Thread t = new Thread(() -> http.post("/v1/chat/completions", chat("hi", true)));
    t.start();
    eventually(() -> shortUp.received.size() == 1, "the first request holds the only slot");
    String body = chat("queued", false);
    try (Socket socket = new Socket("127.0.0.1", dispatcher.port())) {
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      eventually(() -> livePool("short").admission().waiting() == 1, "the second request waits");
    }
    eventually(() -> livePool("short").admission().waiting() == 0, "the waiter left with its client");
    join(t);
    eventually(() -> livePool("short").admission().inFlight() == 0, "every slot was released");
    assertThat(shortUp.received).hasSize(1);
  }

  @Test
  void admittedSlotsAreReleasedAfterEveryKindOfEnding() {
    start(twoPools(), quiet());
    http.post("/v1/chat/completions", chat("hi", false));
    http.post("/v1/chat/completions", chat("hi", true));
    shortUp.behavior = (self, req, body) -> req.connection().close();
    http.post("/v1/chat/completions", chat("hi", false));
    eventually(() -> livePool("short").admission().inFlight() == 0, "every slot was released");
    assertThat(dispatcher.retries().active()).isZero();
  }

  @Test
  void case22ClientThatStopsReadingPausesTheUpstreamAndIsClosedWhenIdle() throws Exception {
    AtomicLong written = new AtomicLong();
    AtomicBoolean upstreamClosed = new AtomicBoolean();
    Buffer event = Buffer.buffer("data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(16 * 1024) + "\"}}]}\n\n");
    shortUp.behavior = (self, req, body) -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      resp.closeHandler(v -> upstreamClosed.set(true));
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (!resp.closed() && !resp.writeQueueFull()) {
          resp.write(event);
          written.addAndGet(event.length());
        }
        if (!resp.closed()) {
          resp.drainHandler(v -> pump[0].run());
        }
      };
      pump[0].run();
    };
    DispatcherConfig c = twoPools().withTimeouts(new dev.sluice.dispatcher.config.Timeouts(1000, 2000, 2000, 1000));
    start(c, quiet().withServer(ServerLimits.DEFAULTS.withIdleTimeoutSeconds(4)));
    String body = chat("hi", true);
    try (Socket socket = new Socket("127.0.0.1", dispatcher.port())) {
      socket.setReceiveBufferSize(4096);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      eventually(() -> written.get() > 0, "the upstream started writing");
      eventually(() -> {
        long before = written.get();
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return written.get() == before && !upstreamClosed.get();
      }, "the paused upstream stops being read while its request is still open");
      assertThat(written.get()).as("bounded by socket buffers and write queues").isLessThan(64L * 1024 * 1024);
      eventually(upstreamClosed::get, "the idle client connection was closed and the upstream request reset");
    }
  }

  // ---- the wire ------------------------------------------------------------------------------------

  @Test
  void case12SmugglingShapeNeverReachesTheUpstream() throws Exception {
    start(twoPools(), quiet());
    String body = chat("hi", false);
    String reply = raw(dispatcher.port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + body, 2000);
    assertThat(reply).startsWith("HTTP/1.1 400").doesNotContain("<still open>");
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void case12BareLineFeedChunkIs400AndClosed() throws Exception {
    start(twoPools(), quiet());
    String reply = raw(dispatcher.port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n2;x\n{}\r\n0\r\n\r\n", 2000);
    assertThat(reply).startsWith("HTTP/1.1 400").doesNotContain("<still open>");
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void case23SlowlorisIsClosedAtTheHeaderDeadline() throws Exception {
    start(twoPools(), quiet().withServer(ServerLimits.DEFAULTS.withHeaderDeadlineMillis(500)));
    String reply = raw(dispatcher.port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: a", 5000);
    assertThat(reply).doesNotContain("<still open>");
  }

  @Test
  void aLongPrefillIsNotCutByTheClientIdleTimeout() {
    shortUp.behavior = (self, req, body) -> self.vertx.setTimer(3500, t -> self.json(req.response(), 200, FakeUpstream.completion("short")));
    DispatcherConfig c = twoPools().withTimeouts(new dev.sluice.dispatcher.config.Timeouts(1000, 5000, 5000, 1000));
    start(c, quiet().withServer(ServerLimits.DEFAULTS.withIdleTimeoutSeconds(2)));
    assertThat(http.post("/v1/chat/completions", chat("hi", false)).status()).isEqualTo(200);
  }

  @Test
  void case23ManySlowlorisConnectionsAreAllClosedWhileRealTrafficIsServed() throws Exception {
    start(twoPools(), quiet().withServer(ServerLimits.DEFAULTS.withHeaderDeadlineMillis(1500)));
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket("127.0.0.1", dispatcher.port());
        s.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Drip: ".getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        statuses.add(http.post("/v1/chat/completions", chat("hi", false)).status());
      }
      assertThat(statuses).containsOnly(200);
      for (Socket s : slow) {
        s.setSoTimeout(10_000);
        int read;
        try {
          read = s.getInputStream().read();
        } catch (SocketTimeoutException stillOpen) {
          read = -2;
        } catch (java.io.IOException reset) {
          read = -1;
        }
        assertThat(read).as("a slowloris connection was closed by the server").isEqualTo(-1);
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void case28DrainLetsAnOpenStreamFinish() {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 10), 50, true);
    start(twoPools(), quiet().withDrainGrace(Duration.ofSeconds(10)));
    Http.Reply[] reply = new Http.Reply[1];
    Thread t = new Thread(() -> reply[0] = http.post("/v1/chat/completions", chat("hi", true)));
    t.start();
    eventually(() -> shortUp.received.size() == 1, "the stream started");
    dispatcher.stop().await();
    dispatcher = null;
    join(t);
    assertThat(reply[0].text()).endsWith("data: [DONE]\n\n");
  }

  private static DispatcherHooks hooks(DispatcherMetrics metrics) {
    return DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry());
  }
}
