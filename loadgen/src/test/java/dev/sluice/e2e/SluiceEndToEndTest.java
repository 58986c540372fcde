package dev.sluice.e2e;

import dev.sluice.dispatcher.api.Api;
import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sluice in front of two real mock vLLM pools (short 8K, long 64K, cl100k counting): what a client sees
 * and what the pools see, end to end over HTTP.
 */
class SluiceEndToEndTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final Pattern CREATED = Pattern.compile("\"created\":(\\d+)");
  private static final Pattern UNDER = Pattern.compile("(?m)^sluice_misroutes_total\\{kind=\"under\",?\\} (\\S+)$");

  private final Rig rig = new Rig();

  @AfterEach
  void close() {
    rig.close();
  }

  private int startSluice() {
    return rig.sluice(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K),
        rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K));
  }

  private static JsonObject stream(String text, int maxTokens, boolean includeUsage) {
    JsonObject body = Rig.chat(text, maxTokens).put("stream", true);
    return includeUsage ? body.put("stream_options", new JsonObject().put("include_usage", true)) : body;
  }

  private static String created(String body) {
    Matcher m = CREATED.matcher(body);
    return m.find() ? m.group(1) : "?";
  }

  /** Sends the same request straight to a twin mock and through Sluice (same request count on both mocks). */
  private Rig.Reply[] sameRequestBothWays(int twinPort, int sluicePort, JsonObject body) {
    for (int attempt = 0; ; attempt++) {
      Rig.Reply direct = rig.post(twinPort, CHAT, body);
      Rig.Reply viaSluice = rig.post(sluicePort, CHAT, body);
      // "created" is in whole seconds: a pair that straddles a second boundary is sent again
      if (created(direct.text()).equals(created(viaSluice.text())) || attempt == 3) {
        return new Rig.Reply[] {direct, viaSluice};
      }
    }
  }

  private record StreamSetup(int twin, int sluice, Rig.Recorder recorder) {
  }

  private StreamSetup streamSetup() {
    int shortMock = rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K);
    Rig.Recorder recorder = rig.recorder(shortMock);
    int sluice = rig.sluice(recorder.port, rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K));
    return new StreamSetup(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K), sluice, recorder);
  }

  @Test
  void streamWithoutIncludeUsageReachesTheClientByteForByteAsFromThePoolDirectly() {
    StreamSetup s = streamSetup();
    Rig.Reply[] pair = sameRequestBothWays(s.twin(), s.sluice(), stream("Tell me a story about a river.", 12, false));
    assertThat(pair[1].text()).isEqualTo(pair[0].text());
  }

  @Test
  void streamWithoutIncludeUsageCarriesNoUsageChunkToTheClient() {
    StreamSetup s = streamSetup();
    Rig.Reply r = rig.post(s.sluice(), CHAT, stream("Tell me a story about a river.", 12, false));
    assertThat(r.text()).contains("data: [DONE]").doesNotContain("\"usage\"");
  }

  @Test
  void streamWithoutIncludeUsageAsksThePoolForUsage() {
    StreamSetup s = streamSetup();
    rig.post(s.sluice(), CHAT, stream("Tell me a story about a river.", 12, false));
    JsonObject received = new JsonObject(s.recorder().bodies.get(0));
    assertThat(received.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
  }

  @Test
  void streamWithIncludeUsagePassesTheUsageChunkThroughUnchanged() {
    StreamSetup s = streamSetup();
    Rig.Reply[] pair = sameRequestBothWays(s.twin(), s.sluice(), stream("Tell me a story about a river.", 12, true));
    assertThat(pair[1].text()).contains("\"choices\":[],\"usage\":{\"prompt_tokens\":").isEqualTo(pair[0].text());
  }

  @Test
  void streamingUsageFeedsTheCalibration() throws Exception {
    StreamSetup s = streamSetup();
    for (int i = 0; i < 12; i++) {
      rig.post(s.sluice(), CHAT, stream("Tell me a story about a river, number " + i + ".", 4, false));
    }
    Rig.eventually(() -> samples(s.sluice(), "prose") == 12, "12 streamed samples in /admin/calibration");
    assertThat(entry(s.sluice(), "prose").getString("source")).isEqualTo("calibrated");
  }

  // ---- calibration, live ---------------------------------------------------------------------------------------

  private JsonObject entry(int sluice, String category) {
    JsonArray entries = rig.get(rig.management(), "/admin/calibration").json().getJsonArray("entries");
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.getJsonObject(i);
      if (Rig.MODEL.equals(e.getString("model")) && category.equals(e.getString("category"))) {
        return e;
      }
    }
    return new JsonObject();
  }

  private long samples(int sluice, String category) {
    return entry(sluice, category).getLong("samples", 0L);
  }

  /** Slices of English narrative, 1.5 to 4 KiB, cut at line starts. */
  private static List<String> proseSlices(int count, long seed) throws Exception {
    String text = Rig.corpus("en_narrative_pride_ch01-12.txt");
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>();
    while (out.size() < count) {
      int from = text.indexOf('\n', rnd.nextInt(text.length() - 8192)) + 1;
      int to = text.lastIndexOf('\n', from + 1536 + rnd.nextInt(2560));
      if (to > from + 512) {
        out.add(text.substring(from, to));
      }
    }
    return out;
  }

  private record Calibrated(int sluice, List<String> sent) {
  }

  private Calibrated calibrateOnProse() throws Exception {
    int sluice = startSluice();
    List<String> sent = proseSlices(100, 11);
    for (String prompt : sent) {
      assertThat(rig.post(sluice, CHAT, Rig.chat(prompt, 4)).status()).isEqualTo(200);
    }
    Rig.eventually(() -> samples(sluice, "prose") >= sent.size(), "100 prose samples");
    return new Calibrated(sluice, sent);
  }

  @Test
  void calibrationConvergesOnTheTokenizersTrueRatioOfProse() throws Exception {
    Calibrated c = calibrateOnProse();
    Encoding cl100k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    long bytes = 0;
    long tokens = 0;
    for (String prompt : c.sent()) {
      bytes += prompt.getBytes(StandardCharsets.UTF_8).length;
      tokens += cl100k.countTokensOrdinary(prompt);
    }
    double trueRatio = bytes / (double) tokens;
    JsonObject prose = entry(c.sluice(), "prose");
    assertThat(new Object[] {prose.getString("source"), prose.getDouble("bytesPerToken") / trueRatio})
        .satisfies(v -> assertThat(v[0]).isEqualTo("calibrated"))
        .satisfies(v -> assertThat((double) v[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.03)));
  }

  @Test
  void afterCalibrationThePromptEstimateIsWithinTenPercentOfTheUpstreamCount() throws Exception {
    Calibrated c = calibrateOnProse();
    List<Double> errors = new ArrayList<>();
    for (String prompt : proseSlices(20, 99)) {
      Rig.Reply r = rig.post(c.sluice(), CHAT, Rig.chat(prompt, 4));
      int actual = r.json().getJsonObject("usage").getInteger("prompt_tokens");
      errors.add(Math.abs(Integer.parseInt(r.header("x-sluice-prompt-estimate")) - actual) / (double) actual);
    }
    assertThat(errors).allSatisfy(e -> assertThat(e).isLessThanOrEqualTo(0.10));
  }

  // ---- misroutes and context errors ----------------------------------------------------------------------------

  /** Single digits between spaces: one byte per cl100k token, far below any prior's ratio. */
  private static String digits(int tokens) {
    StringBuilder b = new StringBuilder(tokens);
    for (int i = 0; i < tokens / 2; i++) {
      b.append((char) ('0' + i % 10)).append(' ');
    }
    return b.toString();
  }

  private double underMisroutes(int sluice) {
    Matcher m = UNDER.matcher(rig.get(rig.management(), "/metrics").text());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private record Misroute(Rig.Reply reply, double under) {
  }

  /**
   * The per-category ratio under-counts single digits; the byte classes count them, and an exact count would
   * catch the request at the boundary: both are turned off here to reach the retry.
   */
  private Misroute misroute() {
    int sluice = rig.sluice(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K),
        rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K),
        Map.of("SLUICE_ESTIMATOR_MODEL", "ratios", "SLUICE_ESTIMATOR_EXACT_COUNT", "false"));
    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat(digits(12_000), 16));
    return new Misroute(r, underMisroutes(sluice));
  }

  @Test
  void theByteClassesCountWhatTheRatioUnderCounts() {
    int sluice = startSluice();
    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat(digits(12_000), 16));
    int prompt = r.json().getJsonObject("usage").getInteger("prompt_tokens");
    assertThat(new Object[] {r.status(), r.header("x-sluice-pool"), underMisroutes(sluice),
        Math.abs(Integer.parseInt(r.header("x-sluice-prompt-estimate")) - prompt) < 0.1 * prompt})
        .containsExactly(200, "long", 0.0, true);
  }

  /** Prose of about {@code tokens} cl100k tokens, from the narrative's start. */
  private static String prose(int tokens) throws Exception {
    Encoding cl100k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    String text = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("sluice.shared",
        "../../shared"), "data", "corpus", "en_narrative_pride_ch01-12.txt"), StandardCharsets.UTF_8);
    int lo = 0;
    int hi = text.length();
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (cl100k.countTokensOrdinary(text.substring(0, mid)) <= tokens) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return text.substring(0, lo);
  }

  @Test
  void aRequestAtTheBoundaryIsCountedByTheShortPoolsTokenizer() throws Exception {
    // a deadline the first count meets on a loaded machine, over a connection made for it
    int sluice = rig.sluice(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K),
        rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K), Map.of("SLUICE_ESTIMATOR_EXACT_COUNT_DEADLINE_MS", "2000"));
    // a prompt of 7,000 tokens and a reserve that puts its estimated band around the short pool's context
    String text = prose(7_000);
    dev.sluice.dispatcher.scan.BodyScanner scanner = new dev.sluice.dispatcher.scan.BodyScanner(
        Api.CHAT, dev.sluice.dispatcher.scan.ScanLimits.DEFAULTS);
    scanner.feed(Rig.chat(text, 1).toBuffer());
    dev.sluice.dispatcher.estimate.Budget b = rig.node().dispatcher().hooks().estimator()
        .estimate(scanner.finish(), null, 0);
    int maxTokens = Rig.SHORT_CONTEXT - (b.promptLow() + b.promptRouting()) / 2;

    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat(text, maxTokens));

    int prompt = r.json().getJsonObject("usage").getInteger("prompt_tokens");
    assertThat(new Object[] {r.status(), r.header("x-sluice-estimate-source"), r.header("x-sluice-budget"),
        r.header("x-sluice-pool")}).containsExactly(200, "tokenizer", Integer.toString(prompt + maxTokens),
        prompt + maxTokens <= Rig.SHORT_CONTEXT ? "short" : "long");
  }

  @Test
  void underEstimatedRequestIsPlannedForTheShortPool() {
    Misroute m = misroute();
    assertThat(Integer.parseInt(m.reply().header("x-sluice-budget"))).isLessThanOrEqualTo(Rig.SHORT_CONTEXT);
  }

  @Test
  void underEstimatedRequestIsServedByTheLongPoolWithoutTheClientSeeingThe400() {
    Misroute m = misroute();
    Rig.Reply r = m.reply();
    assertThat(new Object[] {r.status(), r.header("x-sluice-pool"),
        r.json().getJsonObject("usage").getInteger("prompt_tokens") > Rig.SHORT_CONTEXT})
        .containsExactly(200, "long", true);
  }

  @Test
  void underEstimatedRequestCountsAsAnUnderMisroute() {
    assertThat(misroute().under()).isEqualTo(1.0);
  }

  private static void assertOpenAiContextError(Rig.Reply r, String param, String says) {
    JsonObject error = r.json().getJsonObject("error");
    assertThat(new Object[] {r.status(), r.header("x-sluice-pool"), error.fieldNames().containsAll(
            List.of("message", "type", "param", "code")), error.getString("param"),
        error.getString("message").contains(says)})
        .containsExactly(400, "long", true, param, true);
  }

  @Test
  void promptLargerThanEveryPoolGetsTheLongPoolsOwnContextError() {
    int sluice = startSluice();
    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat(digits(2 * (Rig.LONG_CONTEXT + 1000)), 16));
    assertOpenAiContextError(r, "input_tokens", "maximum context length is " + Rig.LONG_CONTEXT);
  }

  @Test
  void outputReserveLargerThanEveryPoolGetsTheLongPoolsOwnContextError() {
    int sluice = startSluice();
    Rig.Reply r = rig.post(sluice, CHAT, Rig.chat("Write a very long novel.", Rig.LONG_CONTEXT + 1));
    assertOpenAiContextError(r, "max_tokens", "cannot be greater than max_model_len=max_total_tokens=" + Rig.LONG_CONTEXT);
  }

  @Test
  void aContextErrorFromTheLargestPoolIsNotCountedAsAMisroute() {
    int sluice = startSluice();
    rig.post(sluice, CHAT, Rig.chat(digits(2 * (Rig.LONG_CONTEXT + 1000)), 16));
    assertThat(underMisroutes(sluice)).isZero();
  }
}
