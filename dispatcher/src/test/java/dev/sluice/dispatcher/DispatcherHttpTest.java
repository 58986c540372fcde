package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.relay.ResponseTapFactory;
import dev.sluice.dispatcher.estimate.FixedRatioEstimator;
import dev.sluice.dispatcher.config.ClientLimits;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The dispatcher end to end: real sockets, fake OpenAI upstreams on port 0. */
class DispatcherHttpTest extends TwoPoolHttpFixture {
  private void start(DispatcherConfig config) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    start(config, DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()), metrics);
  }

  /** A node with a fixed 4 bytes/token, for tests that check the budget arithmetic itself. */
  private void startFixed(DispatcherConfig config) {
    start(config, new DispatcherHooks(new FixedRatioEstimator(4.0), ResponseTapFactory.NONE, false),
        new DispatcherMetrics());
  }

  private void start(DispatcherConfig config, DispatcherHooks hooks, DispatcherMetrics metrics) {
    use(Dispatcher.start(vertx, config, hooks, metrics, 2).await());
  }

  private static String chat(String content, Integer maxTokens, boolean stream) {
    JsonObject body = new JsonObject().put("model", "m")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    if (maxTokens != null) {
      body.put("max_tokens", maxTokens);
    }
    if (stream) {
      body.put("stream", true);
    }
    return body.encode();
  }

  // ---- routing ----------------------------------------------------------------------------------------

  @Test
  void smallBudgetGoesToTheShortPool() {
    start(twoPools());
    assertThat(http.post("/v1/chat/completions", chat("hi", 100, false)).json().getString("served_by")).isEqualTo("short");
  }

  @Test
  void largeMaxTokensGoesToTheLongPool() {
    start(twoPools());
    assertThat(http.post("/v1/chat/completions", chat("hi", 5000, false)).json().getString("served_by")).isEqualTo("long");
  }

  @Test
  void longPromptGoesToTheLongPool() {
    start(twoPools());
    // 8000 bytes at 4 bytes/token = 2000 tokens, over the short context of 1000
    assertThat(http.post("/v1/chat/completions", chat("a".repeat(8000), 10, false)).header("x-sluice-pool"))
        .isEqualTo("long");
  }

  @Test
  void budgetLargerThanEveryPoolGoesToTheLargest() {
    start(twoPools());
    assertThat(http.post("/v1/chat/completions", chat("hi", 1_000_000, false)).header("x-sluice-pool")).isEqualTo("long");
  }

  /** A node of three pools: short (1,000 tokens), mid (10,000) on an upstream of its own, which is returned, and long. */
  private FakeUpstream startThreePools() {
    FakeUpstream mid = new FakeUpstream(vertx, "mid").start().await();
    extra.add(mid);
    start(base().withPool(pool("short", 1000, shortUp.url())).withPool(pool("mid", 10_000, mid.url()))
        .withPool(pool("long", LONG_CONTEXT, longUp.url())));
    return mid;
  }

  @Test
  void threePoolsEachServeTheirBand() {
    startThreePools();
    List<String> served = new ArrayList<>();
    for (int maxTokens : new int[] {500, 5000, 50_000, 500_000}) {
      served.add(http.post("/v1/chat/completions", chat("hi", maxTokens, false)).json().getString("served_by"));
    }
    assertThat(served).containsExactly("short", "mid", "long", "long");
  }

  @Test
  void completionsEndpointIsRoutedByItsPrompt() {
    start(twoPools());
    String body = new JsonObject().put("model", "m").put("prompt", "b".repeat(8000)).put("max_tokens", 5).encode();
    Http.Reply reply = http.post("/v1/completions", body);
    assertThat(reply.header("x-sluice-pool") + " " + longUp.received.get(0).uri()).isEqualTo("long /v1/completions");
  }

  @Test
  void everyResponseCarriesTheSluiceHeaders() {
    startFixed(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hello world!", 100, false));
    // 12 bytes at 4 bytes/token = 3 tokens, plus 100 reserved
    assertThat(List.of(reply.header("x-sluice-pool"), reply.header("x-sluice-budget"), reply.header("x-sluice-category")))
        .containsExactly("short", "103", "default");
  }

  @Test
  void missingMaxTokensUsesTheDefaultReserve() {
    startFixed(twoPools());
    assertThat(http.post("/v1/chat/completions", chat("hi", null, false)).header("x-sluice-budget")).isEqualTo("257");
  }

  // ---- relaying ---------------------------------------------------------------------------------------

  @Test
  void nonStreamingResponseArrivesIntact() {
    start(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, false));
    assertThat(reply.body().getBytes()).isEqualTo(shortUp.sent.getBytes());
  }

  @Test
  void requestBodyReachesTheUpstreamUnchanged() {
    start(twoPools());
    String body = chat("caf\u00e9 \\u00e9 \ud83d\ude00", 10, false);
    http.post("/v1/chat/completions", body);
    assertThat(shortUp.received.get(0).body().toString()).isEqualTo(body);
  }

  @Test
  void streamIsByteIdenticalToWhatTheUpstreamSent() {
    start(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, true));
    assertThat(reply.text()).isEqualTo(shortUp.sent.toString()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void streamChunksArriveBeforeTheUpstreamFinishes() {
    // the upstream holds every event after the first until the client has one (or 10 s passed): a buffering
    // proxy delivers nothing before the last write, however fast or slow the machine is
    Promise<Void> clientHasAChunk = Promise.promise();
    vertx.setTimer(10_000, t -> clientHasAChunk.tryComplete());
    shortUp.behavior = (self, req, body) -> self.streamHeld(req.response(), FakeUpstream.events("short", 5), 1,
        clientHasAChunk.future());
    start(twoPools());
    Http.Reply reply = http.send(HttpMethod.POST, "/v1/chat/completions", chat("hi", 10, true),
        h -> h.set("content-type", "application/json"), resp -> clientHasAChunk.tryComplete());
    assertThat(reply.chunks().get(0).nanos()).isLessThan(shortUp.lastWriteNanos.get());
  }

  @Test
  void aBurstOfUpstreamEventsReachesTheClientInFewWrites() {
    // events read from the upstream in one turn of the event loop are written to the client together
    int events = 32;
    shortUp.behavior = (self, req, body) -> self.burst(req.response(), FakeUpstream.events("short", events));
    start(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, true));
    assertThat(reply.text()).isEqualTo(shortUp.sent.toString());
    assertThat(reply.chunks()).hasSizeLessThan(events / 4);
  }

  @Test
  void streamKeepsTheEventStreamContentType() {
    start(twoPools());
    assertThat(http.post("/v1/chat/completions", chat("hi", 10, true)).header("content-type")).isEqualTo("text/event-stream");
  }

  @Test
  void clientAuthorizationAndHopByHopHeadersAreNotForwarded() {
    start(twoPools());
    http.send(HttpMethod.POST, "/v1/chat/completions?trace=1", chat("hi", 10, false), h -> h
        .set("content-type", "application/json").set("authorization", "Bearer client-secret")
        .set("proxy-authorization", "Basic x").set("te", "trailers").set("x-request-id", "r-1"), null);
    FakeUpstream.Received got = shortUp.received.get(0);
    assertThat(List.of(String.valueOf(got.headers().get("authorization")), String.valueOf(got.headers().get("proxy-authorization")),
        String.valueOf(got.headers().get("te")), got.headers().get("x-request-id"), got.uri()))
        .containsExactly("null", "null", "null", "r-1", "/v1/chat/completions?trace=1");
  }

  @Test
  void upstreamClientErrorIsForwardedUnchangedWithoutRetry() {
    String error = "{\"error\":{\"message\":\"temperature must be >= 0\",\"type\":\"BadRequestError\",\"param\":\"temperature\",\"code\":400}}";
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 400, error);
    start(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, false));
    assertThat(reply.status() + " " + reply.text() + " " + shortUp.received.size() + " " + longUp.received.size())
        .isEqualTo("400 " + error + " 1 0");
  }

  @Test
  void contextLengthErrorOnTheShortPoolIsRetriedOnTheLongPool() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 400, "{\"error\":{\"message\":\"This model's maximum "
        + "context length is 1000 tokens. However, you requested 1200 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}");
    start(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, false));
    assertThat(reply.status() + " " + reply.header("x-sluice-pool") + " " + shortUp.received.size() + " " + longUp.received.size())
        .isEqualTo("200 long 1 1");
  }

  /** vLLM's refusal of a prompt over {@code context}: its exact count, or only "at least" one past the limit. */
  private static String tooLong(int context, int prompt, int output, boolean exact) {
    String count = exact ? prompt + " input tokens, for a total of " + (prompt + output)
        : "at least " + prompt + " input tokens, for a total of at least " + (prompt + output);
    return "{\"error\":{\"message\":\"This model's maximum context length is " + context + " tokens. However, you "
        + "requested " + output + " output tokens and your prompt contains " + count + " tokens. Please reduce the "
        + "length of the input prompt or the number of requested output tokens. (parameter=input_tokens, value="
        + prompt + ")\",\"type\":\"BadRequestError\",\"param\":\"input_tokens\",\"code\":400}}";
  }

  /**
   * A context-length refusal climbs once, to where the message says the request fits: an exact count to the
   * smallest pool that holds it, a lower bound to the largest, a count beyond every pool nowhere (the refusal
   * reaches the client, and no pool is asked in vain).
   */
  @Test
  void aContextLengthRefusalClimbsToWhereTheMessageSaysItFits() {
    FakeUpstream mid = startThreePools();
    List<String> answers = new ArrayList<>();
    for (String refusal : List.of(tooLong(1000, 5000, 10, true), tooLong(1000, 20_000, 10, true),
        tooLong(1000, 1001, 10, false), tooLong(1000, 200_000, 10, true))) {
      shortUp.behavior = (self, req, body) -> self.json(req.response(), 400, refusal);
      Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, false));
      answers.add(reply.status() + " " + reply.header("x-sluice-pool"));
    }
    assertThat(answers).containsExactly("200 mid", "200 long", "200 long", "400 short");
    assertThat(List.of(shortUp.received.size(), mid.received.size(), longUp.received.size())).containsExactly(4, 1, 2);
  }

  @Test
  void contextLengthRetryIsCountedAsAnUnderEstimate() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 400,
        "{\"error\":{\"message\":\"too long\",\"type\":\"BadRequestError\",\"param\":\"input_tokens\",\"code\":400}}");
    start(twoPools());
    http.post("/v1/chat/completions", chat("hi", 10, false));
    assertThat(admin.get("/metrics").text()).contains("sluice_misroutes_total{kind=\"under\"} 1.0");
  }

  // ---- failures before the commit point ---------------------------------------------------------------

  @Test
  void noReachableUpstreamIs503InOpenAiShape() {
    String dead = deadUrl();
    start(base().withPool(pool("short", SHORT_CONTEXT, dead)).withPool(pool("long", LONG_CONTEXT, dead)));
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, false));
    assertThat(List.of(reply.status(), reply.error().getString("code"), reply.error().getString("type"), reply.header("retry-after")))
        .containsExactly(503, "no_healthy_upstream", "server_error", "1");
  }

  @Test
  void aDownEndpointIsSkippedByRetryingAnother() {
    String dead = deadUrl();
    start(base().withPool(pool("short", SHORT_CONTEXT, dead, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())));
    List<Integer> statuses = new ArrayList<>();
    // distinct prompts have distinct affinity keys: about half go to the dead endpoint first
    for (int i = 0; i < 40 && endpoint(dead).health().consecutiveFailures() < 2; i++) {
      statuses.add(http.post("/v1/chat/completions", chat("hi " + i, 10, false)).status());
    }
    assertThat(statuses).containsOnly(200);
    assertThat(endpoint(dead).health().consecutiveFailures()).isEqualTo(2);
  }

  @Test
  void upstreamResetBeforeHeadersIsRetriedOnAnotherEndpoint() {
    FakeUpstream flaky = new FakeUpstream(vertx, "flaky").start().await();
    extra.add(flaky);
    flaky.behavior = (self, req, body) -> req.connection().close();
    start(base().withPool(pool("short", SHORT_CONTEXT, flaky.url(), shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url())));
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 40 && flaky.received.size() < 2; i++) {
      served.add(http.post("/v1/chat/completions", chat("hi " + i, 10, false)).json().getString("served_by"));
    }
    assertThat(served).containsOnly("short");
    assertThat(flaky.received).hasSize(2);
  }

  @Test
  void silentUpstreamTimesOutWith504AndIsReset() {
    shortUp.behavior = (self, req, body) -> { };
    DispatcherConfig c = twoPools().withTimeouts(new Timeouts(1000, 300, 1000, 1000));
    start(c);
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, false));
    assertThat(reply.status() + " " + reply.error().getString("code")).isEqualTo("504 upstream_timeout");
    eventually(() -> shortUp.closedEarly.get() == 1, "the upstream request was reset");
  }

  @Test
  void fullWaitQueueIsAFast503() {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 50), 20, true);
    PoolConfig tiny = new PoolConfig("short", SHORT_CONTEXT, List.of(URI.create(shortUp.url())), new ClientLimits(1, 0),
        null);
    // one event loop: each loop keeps its own connections, and a limit of one cannot be shared by two
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, base().withPool(tiny).withPool(pool("long", LONG_CONTEXT, longUp.url())),
        DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()), metrics, 1).await());
    Http.Reply[] first = new Http.Reply[1];
    Thread t = new Thread(() -> first[0] = http.post("/v1/chat/completions", chat("hi", 10, true)));
    t.start();
    eventually(() -> shortUp.received.size() == 1, "the first request holds the only connection");
    Http.Reply second = http.post("/v1/chat/completions", chat("hi", 10, false));
    join(t);
    assertThat(second.status() + " " + second.error().getString("code") + " " + first[0].status())
        .isEqualTo("503 pool_busy 200");
  }

  // ---- after the commit point -------------------------------------------------------------------------

  @Test
  void upstreamDeathMidStreamSendsOneErrorEventAndNoDone() {
    shortUp.behavior = (self, req, body) -> {
      self.stream(req.response(), FakeUpstream.events("short", 2), 10, false);
      self.vertx.setTimer(200, t -> req.connection().close());
    };
    start(twoPools());
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, true));
    String text = reply.text();
    assertThat(List.of(reply.failure() != null, text.startsWith(shortUp.sent.toString()),
        text.endsWith("\"code\":\"upstream_error\"}}\n\n"), text.contains("[DONE]")))
        .containsExactly(true, true, true, false);
  }

  @Test
  void everyFailureFreesItsInFlightSlot() {
    shortUp.behavior = (self, req, body) -> {
      self.stream(req.response(), FakeUpstream.events("short", 2), 10, false);
      self.vertx.setTimer(100, t -> req.connection().close());
    };
    FakeUpstream flaky = new FakeUpstream(vertx, "flaky").start().await();
    extra.add(flaky);
    flaky.behavior = (self, req, body) -> req.connection().close();
    start(base().withPool(pool("short", SHORT_CONTEXT, shortUp.url(), flaky.url()))
        .withPool(pool("long", LONG_CONTEXT, deadUrl())));
    for (int i = 0; i < 8; i++) {
      http.post("/v1/chat/completions", chat("hi " + i, 10, true));
      http.post("/v1/chat/completions", chat("hi " + i, 5000, false));
    }
    eventually(() -> dispatcher.upstreams().current().pool(0).inFlight() + dispatcher.upstreams().current().pool(1).inFlight() == 0,
        "all in-flight slots released");
  }

  @Test
  void failuresAreCountedByCategoryAndCode() {
    start(twoPools());
    http.post("/v1/chat/completions", "{oops");
    assertThat(admin.get("/metrics").text()).contains("sluice_failures_total{category=\"client\",code=\"invalid_json\"} 1.0");
  }

  @Test
  void stalledStreamIsCutAfterTheIdleTimeout() {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 1), 10, false);
    start(twoPools().withTimeouts(new Timeouts(1000, 1000, 300, 1000)));
    Http.Reply reply = http.post("/v1/chat/completions", chat("hi", 10, true));
    assertThat(List.of(reply.failure() != null, reply.text().contains("upstream_error"))).containsExactly(true, true);
  }

  @Test
  void aClientThatStopsReadingPausesTheUpstream() throws InterruptedException {
    long total = 256L * 1024 * 1024;
    shortUp.behavior = (self, req, body) -> self.flood(req.response(), total);
    start(twoPools());
    io.vertx.core.http.HttpClientResponse resp = http.onContext(() -> client.request(HttpMethod.POST, dispatcher.port(),
            "127.0.0.1", "/v1/chat/completions")
        .compose(req -> req.putHeader("content-type", "application/json").send(chat("hi", 10, true)))
        .map(r -> r.pause()));
    eventually(() -> shortUp.flooded.get() > 0, "the upstream started writing");
    long before;
    long after = shortUp.flooded.get();
    do {
      // wait until the chain of socket buffers and write queues is full and the upstream stops
      before = after;
      Thread.sleep(500);
      after = shortUp.flooded.get();
    } while (after != before && after < total);
    resp.request().connection().close();
    assertThat(after).isLessThan(total / 4);
  }

  @Test
  void clientDisconnectResetsTheUpstreamRequest() {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 1000), 20, true);
    start(twoPools());
    http.send(HttpMethod.POST, "/v1/chat/completions", chat("hi", 10, true),
        h -> h.set("content-type", "application/json"), resp -> resp.request().connection().close());
    eventually(() -> shortUp.closedEarly.get() == 1, "the upstream saw its request reset");
    eventually(() -> dispatcher.upstreams().current().pool(0).inFlight() == 0, "the in-flight slot was released");
  }

  @Test
  void clientDisconnectBeforeTheFirstByteResetsTheUpstreamRequest() {
    shortUp.behavior = (self, req, body) -> { };
    start(twoPools());
    io.vertx.core.http.HttpClientRequest req = client.request(HttpMethod.POST, dispatcher.port(), "127.0.0.1", "/v1/chat/completions")
        .await();
    req.exceptionHandler(t -> { });
    req.putHeader("content-type", "application/json").end(chat("hi", 10, false));
    eventually(() -> shortUp.received.size() == 1, "the request reached the upstream");
    req.connection().close();
    eventually(() -> shortUp.closedEarly.get() == 1, "the upstream saw its request reset");
  }

  @Test
  void refusalWithoutBodyKeepsTheConnectionOpen() {
    start(twoPools());
    assertThat(http.get("/nope").header("connection")).isNull();
  }

  // ---- errors of the request itself -------------------------------------------------------------------

  private void assertError(Http.Reply reply, int status, String code, String param) {
    JsonObject e = reply.error();
    assertThat(List.of(reply.status(), e.getString("type"), String.valueOf(e.getString("code")),
        String.valueOf(e.getValue("param")), e.getString("message").isEmpty()))
        .containsExactly(status, status >= 500 ? "server_error" : "invalid_request_error", code, String.valueOf(param), false);
  }

  @Test
  void malformedJsonIs400() {
    start(twoPools());
    assertError(http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}"),
        400, "invalid_json", null);
  }

  @Test
  void missingMessagesIs400WithParam() {
    start(twoPools());
    assertError(http.post("/v1/chat/completions", "{\"model\":\"m\"}"), 400, "invalid_request", "messages");
  }

  @Test
  void missingPromptIs400WithParam() {
    start(twoPools());
    assertError(http.post("/v1/completions", "{\"model\":\"m\"}"), 400, "invalid_request", "prompt");
  }

  @Test
  void mistypedMaxTokensIs400WithParam() {
    start(twoPools());
    assertError(http.post("/v1/chat/completions", "{\"max_tokens\":\"lots\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        400, "invalid_request", "max_tokens");
  }

  @Test
  void refusedRequestNeverReachesAnUpstream() {
    start(twoPools());
    http.post("/v1/chat/completions", "{not json");
    assertThat(shortUp.received.size() + longUp.received.size()).isZero();
  }

  @Test
  void unknownPathIs404() {
    start(twoPools());
    assertError(http.get("/v1/images/generations"), 404, "not_found", null);
  }

  @Test
  void wrongMethodIs405() {
    start(twoPools());
    Http.Reply reply = http.get("/v1/chat/completions");
    assertError(reply, 405, "method_not_allowed", null);
  }

  @Test
  void nonJsonContentTypeIs415() {
    start(twoPools());
    assertError(http.send(HttpMethod.POST, "/v1/chat/completions", chat("hi", 10, false),
        h -> h.set("content-type", "application/x-www-form-urlencoded"), null), 415, "unsupported_media_type", null);
  }

  @Test
  void declaredBodyOverTheCapIs413BeforeReading() {
    start(twoPools().withBodyCapBytes(1024));
    String big = chat("x".repeat(2000), 10, false);
    assertError(http.post("/v1/chat/completions", big), 413, "request_too_large", null);
  }

  @Test
  void chunkedBodyOverTheCapIs413() {
    start(twoPools().withBodyCapBytes(1024));
    Http.Reply reply = http.onContext(() -> client.request(HttpMethod.POST, dispatcher.port(), "127.0.0.1", "/v1/chat/completions")
        .compose(req -> {
          req.exceptionHandler(t -> { }); // the dispatcher closes the connection mid-body, as it should
          req.setChunked(true).putHeader("content-type", "application/json");
          req.write("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "y".repeat(700));
          req.write("y".repeat(700));
          return req.response();
        })
        .compose(resp -> Http.collect(resp, null)));
    assertError(reply, 413, "request_too_large", null);
  }

  // ---- models, metrics, health, admin -----------------------------------------------------------------

  @Test
  void modelsAreMergedAcrossPoolsAndSurviveADownEndpoint() {
    shortUp.models = new JsonArray()
        .add(new JsonObject().put("id", "shared").put("object", "model").put("max_model_len", 1000))
        .add(new JsonObject().put("id", "only-short").put("object", "model"));
    longUp.models = new JsonArray()
        .add(new JsonObject().put("id", "shared").put("object", "model").put("max_model_len", 100_000))
        .add(new JsonObject().put("id", "only-long").put("object", "model").put("max_model_len", 100_000));
    start(base().withPool(pool("short", SHORT_CONTEXT, shortUp.url())).withPool(pool("long", LONG_CONTEXT, longUp.url(), deadUrl())));
    JsonArray data = http.get("/v1/models").json().getJsonArray("data");
    String summary = data.stream().map(o -> (JsonObject) o)
        .map(m -> m.getString("id") + ":" + m.getValue("max_model_len")).collect(Collectors.joining(","));
    assertThat(summary).isEqualTo("shared:100000,only-short:null,only-long:100000");
  }

  @Test
  void metricsCountRequestsByPoolAndStatus() {
    start(twoPools());
    http.post("/v1/chat/completions", chat("hi", 10, false));
    http.post("/v1/chat/completions", chat("hi", 10, true));
    assertThat(admin.get("/metrics").text()).contains("sluice_requests_total{pool=\"short\",status=\"200\"} 2.0");
  }

  @Test
  void metricsExposeBudgetsLatenciesAndInFlight() {
    start(twoPools());
    http.post("/v1/chat/completions", chat("hi", 10, false));
    String text = admin.get("/metrics").text();
    assertThat(text).contains("sluice_budget_tokens_bucket{pool=\"short\"", "sluice_upstream_ttfb_seconds_bucket{pool=\"short\"",
        "sluice_upstream_duration_seconds_count{pool=\"short\"} 1", "sluice_inflight{pool=\"long\"} 0");
  }

  @Test
  void sluicesOwnTimeIsRecordedOncePerRelayedRequest() {
    start(twoPools());
    http.post("/v1/chat/completions", chat("hi", 10, false));
    http.post("/v1/chat/completions", chat("hi", 10, true));
    http.post("/v1/chat/completions", "{not json");
    String text = admin.get("/metrics").text();
    assertThat(text).contains("sluice_overhead_seconds_count 2", "sluice_overhead_seconds_bucket{le=\"0.001\"}");
    double sum = Double.parseDouble(text.lines().filter(l -> l.startsWith("sluice_overhead_seconds_sum "))
        .findFirst().orElseThrow().substring("sluice_overhead_seconds_sum ".length()));
    assertThat(sum).isPositive();
  }

  @Test
  void healthAndAdminAnswer() {
    start(twoPools());
    JsonObject pools = admin.get("/admin/pools").json();
    assertThat(List.of(http.get("/health/live").status(), http.get("/health/ready").status(),
        pools.getJsonArray("pools").getJsonObject(1).getString("name"),
        pools.getJsonArray("pools").getJsonObject(0).getJsonArray("endpoints").getJsonObject(0).getString("url")))
        .containsExactly(200, 200, "long", shortUp.url());
  }

  @Test
  void badConfigFailsTheStartNamingTheKey() {
    Throwable failure = Dispatcher.start(vertx, base().withPool(pool("short", -1, shortUp.url())))
        .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())).await();
    assertThat(failure).hasMessageContaining("pools[0].context must be > 0");
  }
}
