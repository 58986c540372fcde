package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.CostModel;
import dev.sluice.mock.Faults;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.PromptCounter;
import dev.sluice.mock.VllmVersion;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sluice in front of mocks of current vLLM (and of v0.11 where the two differ), over HTTP: what a client sees
 * of the current server's length refusals, {@code stream_options} reading, error events and framing.
 */
class CurrentVllmEndToEndTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final Pattern CREATED = Pattern.compile("\"created\":(\\d+)");
  private static final PromptCounter.Mode CL100K = PromptCounter.Mode.CL100K;

  private final Rig rig = new Rig();

  @AfterEach
  void close() {
    rig.close();
  }

  private static MockConfig.Api api(VllmVersion version) {
    return MockConfig.Api.CURRENT.withVersion(version);
  }

  /** A node in front of a short and a long mock answering as {@code version}. */
  private int sluice(VllmVersion version) {
    return rig.sluice(rig.mock(Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K).withApi(api(version))),
        rig.mock(Rig.mockConfig(Rig.LONG_CONTEXT, CL100K).withApi(api(version))));
  }

  // ---- 1. refusals in today's wordings are still retried on the larger pool -------------------------------------

  /**
   * The short pool really has 4,096 tokens but the node believes 8,192, so a 6,000-token output is sent short.
   * Current vLLM refuses it with "max_completion_tokens=6000cannot be greater than max_model_len=..." and
   * {@code param: "max_completion_tokens"}: a misroute, retried on the long pool before the client sees anything.
   */
  @ParameterizedTest
  @CsvSource({"max_completion_tokens", "max_tokens"})
  void anOutputLongerThanTheShortPoolsRealContextIsServedByTheLongPool(String param) {
    int sluice = rig.sluice(rig.mock(4096, CL100K), rig.mock(Rig.LONG_CONTEXT, CL100K));
    JsonObject body = Rig.chat("Write a long story.", 1).put(param, 6000);
    if (!param.equals("max_tokens")) {
      body.remove("max_tokens");
    }

    Rig.Reply r = rig.post(sluice, CHAT, body);

    assertThat(new Object[] {r.status(), r.header("x-sluice-pool"),
        r.json().getJsonObject("usage").getInteger("completion_tokens")}).containsExactly(200, "long", 6000);
  }

  // ---- 4. "at least n" is a bound: retried, never a calibration sample ------------------------------------------

  /** Single digits between spaces: one byte per cl100k token, so the prior under-estimates them fourfold. */
  private static String digits(int tokens) {
    StringBuilder b = new StringBuilder(tokens);
    for (int i = 0; i < tokens / 2; i++) {
      b.append((char) ('0' + i % 10)).append(' ');
    }
    return b.toString();
  }

  private long samples(int sluice, String category) {
    JsonArray entries = rig.get(rig.management(), "/admin/calibration").json().getJsonArray("entries");
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.getJsonObject(i);
      if (Rig.MODEL.equals(e.getString("model")) && category.equals(e.getString("category"))) {
        return e.getLong("samples", 0L);
      }
    }
    return 0;
  }

  private record Misroute(Rig.Reply reply, long samples) {
  }

  private Misroute misroute(VllmVersion version) throws InterruptedException {
    // the per-category ratios without the exact count: the digits reach the short pool and are refused there
    int sluice = rig.sluice(rig.mock(Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K).withApi(api(version))),
        rig.mock(Rig.mockConfig(Rig.LONG_CONTEXT, CL100K).withApi(api(version))),
        Map.of("SLUICE_ESTIMATOR_MODEL", "ratios", "SLUICE_ESTIMATOR_EXACT_COUNT", "false"));
    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat(digits(12_000), 16));
    String category = r.header("x-sluice-category");
    Rig.eventually(() -> samples(sluice, category) >= 1, "the long pool's usage sample");
    return new Misroute(r, samples(sluice, category));
  }

  @Test
  void aPromptRefusedWithAtLeastNIsServedByTheLongPoolAndGivesOneSampleOnly() throws Exception {
    Misroute m = misroute(VllmVersion.CURRENT);
    assertThat(new Object[] {m.reply().status(), m.reply().header("x-sluice-pool"), m.samples()})
        .containsExactly(200, "long", 1L);
  }

  /** The same request against v0.11, whose refusal states the exact count: that count was a second sample. */
  @Test
  void theExactCountOfAnOlderRefusalWasASecondSample() throws Exception {
    Misroute m = misroute(VllmVersion.V0_11);
    assertThat(new Object[] {m.reply().status(), m.reply().header("x-sluice-pool"), m.samples()})
        .containsExactly(200, "long", 2L);
  }

  // ---- 2. stream_options as vLLM reads them ----------------------------------------------------------------------

  private record StreamRig(int twin, int sluice, Rig.Recorder recorder) {
  }

  /** A node whose short pool is recorded, and a twin of that pool to ask directly. */
  private StreamRig streamRig(VllmVersion version) {
    MockConfig shortPool = Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K).withApi(api(version));
    Rig.Recorder recorder = rig.recorder(rig.mock(shortPool));
    int sluice = rig.sluice(recorder.port, rig.mock(Rig.mockConfig(Rig.LONG_CONTEXT, CL100K).withApi(api(version))));
    return new StreamRig(rig.mock(shortPool), sluice, recorder);
  }

  private static String created(String body) {
    Matcher m = CREATED.matcher(body);
    return m.find() ? m.group(1) : "?";
  }

  /** The same request straight to the twin and through Sluice (the two mocks count requests alike). */
  private Rig.Reply[] bothWays(StreamRig s, JsonObject body) {
    for (int attempt = 0; ; attempt++) {
      Rig.Reply direct = rig.post(s.twin(), CHAT, body);
      Rig.Reply viaSluice = rig.post(s.sluice(), CHAT, body);
      // "created" is in whole seconds: a pair that straddles a second boundary is sent again
      if (created(direct.text()).equals(created(viaSluice.text())) || attempt == 3) {
        return new Rig.Reply[] {direct, viaSluice};
      }
    }
  }

  private static JsonObject stream(String options) {
    JsonObject body = Rig.chat("Tell me about rivers.", 6).put("stream", true);
    return options.isEmpty() ? body : body.put("stream_options", new JsonObject(options));
  }

  /**
   * Whatever the client's stream_options and whichever reading the pool has, the client gets the bytes the
   * pool would have sent it directly: no usage chunk it did not get from vLLM, none taken away, and usage on
   * every chunk only where vLLM puts it there.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "CURRENT | ``", "CURRENT | `{}`", "CURRENT | `{\"include_usage\":false}`",
      "CURRENT | `{\"continuous_usage_stats\":true}`",
      "CURRENT | `{\"include_usage\":false,\"continuous_usage_stats\":true}`",
      "CURRENT | `{\"include_usage\":true,\"continuous_usage_stats\":true}`",
      "V0_11 | ``", "V0_11 | `{}`", "V0_11 | `{\"include_usage\":false}`",
      "V0_11 | `{\"continuous_usage_stats\":true}`",
      "V0_11 | `{\"include_usage\":false,\"continuous_usage_stats\":true}`",
  })
  void theClientGetsTheStreamThePoolWouldHaveSentIt(VllmVersion version, String options) {
    StreamRig s = streamRig(version);

    Rig.Reply[] pair = bothWays(s, stream(options == null ? "" : options));

    assertThat(pair[1].text()).startsWith("data: ").isEqualTo(pair[0].text());
  }

  /** What the pool received: Sluice adds include_usage only where vLLM of any version would send none. */
  @Test
  void thePoolReceivesStreamOptionsAsSentUnlessTheyTurnUsageOff() {
    StreamRig s = streamRig(VllmVersion.CURRENT);
    List<String> sent = List.of("{}", "{\"continuous_usage_stats\":true}", "{\"include_usage\":false}",
        "{\"include_usage\":false,\"continuous_usage_stats\":true}");
    for (String options : sent) {
      rig.post(s.sluice(), CHAT, stream(options));
    }
    List<JsonObject> received = new ArrayList<>();
    for (String b : s.recorder().bodies) {
      received.add(new JsonObject(b).getJsonObject("stream_options"));
    }
    assertThat(received).containsExactly(new JsonObject("{}"), new JsonObject("{\"continuous_usage_stats\":true}"),
        new JsonObject("{\"include_usage\":true}"),
        new JsonObject("{\"include_usage\":false,\"continuous_usage_stats\":true}"));
  }

  // ---- 3. error events inside a 200 stream -----------------------------------------------------------------------

  private static final String GENERATION_ERROR = "data: {\"error\": {\"message\": \"Internal server error\", "
      + "\"type\": \"InternalServerError\", \"param\": null, \"code\": 500}}\n\ndata: [DONE]\n\n";
  private static final Faults FIRST_EVENT_ERROR = new Faults(0, 0, 0, 0, 0, 1, 0, 0, 1);
  private static final Faults MID_STREAM_ERROR = new Faults(0, 0, 0, 0, 0, 0, 1, 0, 1);

  private int failingSluice(Faults faults) {
    return rig.sluice(rig.mock(Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K).withFaults(faults)),
        rig.mock(Rig.mockConfig(Rig.LONG_CONTEXT, CL100K).withFaults(faults)));
  }

  /** The value of one sample of the node's {@code /metrics}, 0 when it is not there yet. */
  private double metric(int sluice, String sample) {
    for (String line : rig.get(rig.management(), "/metrics").text().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1));
      }
    }
    return 0;
  }

  private static final String STREAM_ERROR_FAILURES =
      "sluice_failures_total{category=\"origin\",code=\"upstream_stream_error\"}";
  private static final String STREAM_ERROR_RETRIES = "sluice_upstream_retries_total{pool=\"short\",reason=\"stream_error\"}";

  /**
   * The pool's first endpoint fails every stream before its first token, its second serves: a stream that
   * opens with the error event is a failed try, repeated on the other endpoint before the client sees a byte.
   */
  @Test
  void anErrorEventFirstInTheStreamIsRetriedOnAnotherEndpoint() {
    int failing = rig.mock(Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K).withFaults(FIRST_EVENT_ERROR));
    int serving = rig.mock(Rig.SHORT_CONTEXT, CL100K);
    int sluice = rig.sluice(List.of(failing, serving), rig.mock(Rig.LONG_CONTEXT, CL100K));
    List<String> wrong = new ArrayList<>();
    // distinct conversations (the user field is an affinity key) until one had the failing endpoint as its home
    for (int i = 0; i < 40 && metric(sluice, STREAM_ERROR_RETRIES) < 1; i++) {
      Rig.Reply r = rig.post(sluice, CHAT, stream("").put("user", "user-" + i));
      if (r.status() != 200 || r.text().contains("\"error\"") || !r.text().endsWith("data: [DONE]\n\n")) {
        wrong.add(r.status() + " " + r.text());
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(metric(sluice, STREAM_ERROR_RETRIES)).isGreaterThanOrEqualTo(1);
  }

  /** With no endpoint left to try, the client gets the stream as it came, and the request counts as failed. */
  @Test
  void anErrorEventFirstInTheStreamReachesTheClientAsItCameWhenNoTryIsLeft() throws InterruptedException {
    int sluice = failingSluice(FIRST_EVENT_ERROR);

    Rig.Reply r = rig.post(sluice, CHAT, stream(""));

    assertThat(new Object[] {r.status(), r.text()}).containsExactly(200, GENERATION_ERROR);
    Rig.eventually(() -> metric(sluice, STREAM_ERROR_FAILURES) == 1, "one upstream_stream_error failure");
    assertThat(metric(sluice, STREAM_ERROR_RETRIES)).isEqualTo(1);
  }

  /** After the commit point the stream goes on as it came; only the record says the upstream failed. */
  @Test
  void anErrorEventMidStreamReachesTheClientAsItCameAndCountsAsAFailure() throws InterruptedException {
    int sluice = failingSluice(MID_STREAM_ERROR);

    Rig.Reply r = rig.post(sluice, CHAT, stream(""));

    assertThat(new Object[] {r.status(), r.text().split("\n\n").length, r.text().endsWith(GENERATION_ERROR)})
        .containsExactly(200, 5, true);
    Rig.eventually(() -> metric(sluice, STREAM_ERROR_FAILURES) == 1, "one upstream_stream_error failure");
    assertThat(metric(sluice, STREAM_ERROR_RETRIES)).isZero();
  }

  /**
   * A pool that refuses a too-long stream inside a 200 (SGLang's way): the error event is a context-length
   * misroute, and the request is served by the long pool before the client sees a byte.
   */
  @Test
  void aContextLengthErrorEventIsAMisrouteServedByTheLongPool() {
    int sluice = rig.sluice(rig.mock(Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K)
            .withApi(MockConfig.Api.CURRENT.withLengthErrorsInStream(true))),
        rig.mock(Rig.LONG_CONTEXT, CL100K));

    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat(digits(12_000), 4).put("stream", true));

    assertThat(new Object[] {r.status(), r.header("x-sluice-pool"), r.text().contains("\"error\""),
        r.text().endsWith("data: [DONE]\n\n")}).containsExactly(200, "long", false, true);
  }

  // ---- 7. framing and queue limits -------------------------------------------------------------------------------

  @Test
  void onlyTheUsageChunkCarriesAUsageKey() {
    int sluice = sluice(VllmVersion.CURRENT);

    String[] events = rig.post(sluice, CHAT, stream("{\"include_usage\":true}")).text().split("\n\n");

    List<Boolean> withUsage = new ArrayList<>();
    for (String e : events) {
      withUsage.add(e.contains("\"usage\""));
    }
    assertThat(withUsage).containsExactly(false, false, false, false, false, false, false, true, false);
  }

  /**
   * With {@code --max-num-queued-reqs 1} and one stream in flight, vLLM refuses the next request with a 503; the
   * pool has no other endpoint, so after its retry the client gets vLLM's 503 in vLLM's shape.
   */
  @Test
  void aQueueLimit503ReachesTheClientWhenThePoolHasNoRoomLeft() {
    int shortPool = rig.mock(Rig.mockConfig(Rig.SHORT_CONTEXT, CL100K).withCost(CostModel.GPU)
        .withApi(MockConfig.Api.CURRENT.withMaxNumQueuedReqs(1)));
    int sluice = rig.sluice(shortPool, rig.mock(Rig.LONG_CONTEXT, CL100K));
    Promise<Void> firstChunk = Promise.promise();
    rig.vertx.runOnContext(v -> rig.vertx.createHttpClient().request(new RequestOptions()
            .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(shortPool).setURI(CHAT))
        .compose(req -> req.send(Rig.chat("Hello", 4000).put("stream", true).toBuffer()))
        .onSuccess(resp -> resp.handler(chunk -> firstChunk.tryComplete())));
    firstChunk.future().await();

    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat("Hello again", 4));

    assertThat(new Object[] {r.status(), r.header("x-sluice-pool"), r.json().getJsonObject("error").getString("type")})
        .containsExactly(503, "short", "ServiceUnavailableError");
  }
}
