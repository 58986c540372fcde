package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockVllmTest {

  private static final PoolShape SMALL = new PoolShape("test", 4096, 8, 1024, 512, 16);
  private static final String MODEL = "meta-llama/Meta-Llama-3-70B-Instruct";

  private Vertx vertx;
  private Context context;
  private HttpClientAgent client;
  private int port;

  private void start(MockConfig config) {
    vertx = Vertx.vertx();
    MockVllm mock = new MockVllm(config);
    vertx.deployVerticle(mock).await();
    port = mock.actualPort();
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
  }

  /**
   * Runs a client exchange on one event-loop context and waits for it. Started from the test thread instead, a
   * handler registered after the response already arrived misses its body (a small reply then reads as empty).
   */
  private <T> T onLoop(Supplier<Future<T>> exchange) {
    return startOnLoop(exchange).await();
  }

  private <T> Future<T> startOnLoop(Supplier<Future<T>> exchange) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> exchange.get().onComplete(result));
    return result.future();
  }

  private void start(CostModel cost) {
    start(MockConfig.of(SMALL, cost, PromptCounter.Mode.CL100K));
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private record Reply(int status, String body) {
  }

  private Reply post(String path, JsonObject body) {
    return onLoop(() -> client.request(HttpMethod.POST, port, "localhost", path)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString(StandardCharsets.UTF_8)))));
  }

  private String get(String path) {
    return onLoop(() -> client.request(HttpMethod.GET, port, "localhost", path)
        .compose(req -> req.send()).compose(HttpClientResponse::body)).toString(StandardCharsets.UTF_8);
  }

  private static JsonObject chat(String text, int maxTokens) {
    JsonObject body = new JsonObject().put("model", MODEL)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
    return maxTokens > 0 ? body.put("max_tokens", maxTokens) : body;
  }

  private static String corpus(String file, int chars) throws Exception {
    String shared = System.getProperty("sluice.shared", "../../shared");
    String text = Files.readString(Path.of(shared, "data", "corpus", file), StandardCharsets.UTF_8);
    return text.substring(0, Math.min(chars, text.length()));
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }

  // ---- length validation -------------------------------------------------------------------------------------

  private JsonObject refusal(Reply r) {
    assertThat(r.status()).isEqualTo(400);
    JsonObject err = new JsonObject(r.body()).getJsonObject("error");
    assertThat(new Object[] {err.getString("type"), err.getInteger("code")}).containsExactly("BadRequestError", 400);
    return err;
  }

  private void startLegacy() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K)
        .withApi(MockConfig.Api.CURRENT.withVersion(VllmVersion.V0_11)));
  }

  /** vllm/renderers/params.py __post_init__, named as build_tok_params names them. */
  @Test
  void maxCompletionTokensOverTheContextIsRefusedOnThatParam() {
    start(CostModel.INSTANT);
    JsonObject err = refusal(post("/v1/chat/completions", chat("Hello world!", 0).put("max_completion_tokens", 5000)));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("max_completion_tokens",
        "max_completion_tokens=5000cannot be greater than max_model_len=max_total_tokens=4096. Please request fewer "
            + "output tokens. (parameter=max_completion_tokens, value=5000)");
  }

  /** _token_len_check: the text was tokenized only to one token past the limit, so the count is a bound. */
  @Test
  void maxTokensOverWhatThePromptLeavesGetsTheAtLeastWording() {
    start(CostModel.INSTANT);
    JsonObject err = refusal(post("/v1/chat/completions", chat("Hello world!", 4090)));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("input_tokens",
        "This model's maximum context length is 4096 tokens. However, you requested 4090 output tokens and your "
            + "prompt contains at least 7 input tokens, for a total of at least 4097 tokens. Please reduce the length "
            + "of the input prompt or the number of requested output tokens. (parameter=input_tokens, value=7)");
  }

  @Test
  void overLengthPromptWithoutMaxTokensSaysAtLeastOnePastTheContext() throws Exception {
    start(CostModel.INSTANT);
    JsonObject err = refusal(post("/v1/chat/completions", chat(corpus("en_narrative_pride_ch01-12.txt", 40_000), 0)));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("input_tokens",
        "This model's maximum context length is 4096 tokens. However, you requested 0 output tokens and your prompt "
            + "contains at least 4097 input tokens, for a total of at least 4097 tokens. Please reduce the length of "
            + "the input prompt or the number of requested output tokens. (parameter=input_tokens, value=4097)");
  }

  /** _text_len_check: more characters than the longest tokens (128 chars in cl100k) could hold, not tokenized. */
  @Test
  void aTextTooLongForAnyTokenizationIsRefusedOnItsCharacters() {
    start(CostModel.INSTANT);
    String text = "x".repeat(13_000);
    JsonObject err = refusal(post("/v1/chat/completions", chat(text, 4000)));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("input_text",
        "This model's maximum context length is 4096 tokens. However, you requested 4000 output tokens and your "
            + "prompt contains 13000 characters (more than 12288 characters, which is the upper bound for 96 input "
            + "tokens). Please reduce the length of the input prompt or the number of requested output tokens. "
            + "(parameter=input_text, value=13000)");
  }

  /** A prompt that fills the context exactly leaves get_max_tokens nothing; SamplingParams refuses 0. */
  @Test
  void aPromptThatFillsTheContextWithoutMaxTokensLeavesNoOutput() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.BYTES));
    JsonObject err = refusal(post("/v1/chat/completions", chat("x".repeat(4 * (4096 - 10)), 0)));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("max_tokens",
        "max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)");
  }

  @Test
  void v011OverLengthMaxTokensStatesTheExactPromptCount() {
    startLegacy();
    JsonObject err = refusal(post("/v1/chat/completions", chat("Hello world!", 4090)));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("max_tokens",
        "'max_tokens' or 'max_completion_tokens' is too large: 4090. This model's maximum context length is 4096 "
            + "tokens and your request has 13 input tokens (4090 > 4096 - 13).");
  }

  @Test
  void v011OverLengthPromptStatesTheExactPromptCount() throws Exception {
    startLegacy();
    JsonObject err = refusal(post("/v1/chat/completions", chat(corpus("en_narrative_pride_ch01-12.txt", 40_000), 0)));
    assertThat(new Object[] {err.getString("param"),
        err.getString("message").matches("This model's maximum context length is 4096 tokens\\. However, your "
            + "request has \\d+ input tokens\\. Please reduce the length of the input messages\\.")})
        .containsExactly("input_tokens", true);
  }

  /** SGLang's way: the refusal of a stream arrives as a 200 whose stream is the error event. */
  @Test
  void lengthErrorsCanComeInsideTheStream() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K)
        .withApi(MockConfig.Api.CURRENT.withLengthErrorsInStream(true)));
    Reply r = post("/v1/chat/completions", chat("Hello world!", 4090).put("stream", true));
    assertThat(new Object[] {r.status(), r.body().startsWith("data: {\"error\": {\"message\": \"This model's maximum "
        + "context length is 4096 tokens."), r.body().endsWith("\"type\": \"BadRequestError\", \"param\": null, "
        + "\"code\": 400}}\n\ndata: [DONE]\n\n")}).containsExactly(200, true, true);
  }

  @Test
  void promptThatFitsWithItsMaxTokensIsServed() {
    start(CostModel.INSTANT);
    assertThat(post("/v1/chat/completions", chat("Hello world!", 4096 - 13)).status()).isEqualTo(200);
  }

  // ---- token accounting --------------------------------------------------------------------------------------

  @Test
  void promptTokensAreJtokkitCountPlusLlama3Template() throws Exception {
    start(CostModel.INSTANT);
    String system = corpus("en_doc_python_tutorial.rst", 1500);
    String user = corpus("code_java_commons_lang3.java", 2500);
    JsonObject body = new JsonObject().put("max_tokens", 4).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", system))
        .add(new JsonObject().put("role", "user").put("content", user)));
    Encoding cl100k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    int expected = cl100k.countTokensOrdinary(system) + cl100k.countTokensOrdinary(user) + 1 + 5 * 2 + 4;
    JsonObject usage = new JsonObject(post("/v1/chat/completions", body).body()).getJsonObject("usage");
    assertThat(usage.getInteger("prompt_tokens")).isEqualTo(expected);
  }

  @Test
  void largePromptsAreCountedOffTheEventLoopWithTheSameResult() throws Exception {
    start(MockConfig.of(SMALL.withMaxModelLen(16384), CostModel.INSTANT, PromptCounter.Mode.CL100K));
    String text = corpus("en_tech_debref_ch01.txt", 12_000) + corpus("en_narrative_pride_ch01-12.txt", 8_000);
    Encoding cl100k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    JsonObject usage = new JsonObject(post("/v1/chat/completions", chat(text, 3)).body()).getJsonObject("usage");
    assertThat(usage.getInteger("prompt_tokens")).isEqualTo(cl100k.countTokensOrdinary(text) + 10);
  }

  @Test
  void completionsCountPromptPlusBos() {
    start(CostModel.INSTANT);
    JsonObject body = new JsonObject().put("model", MODEL).put("prompt", "Hello world!").put("max_tokens", 2);
    JsonObject usage = new JsonObject(post("/v1/completions", body).body()).getJsonObject("usage");
    assertThat(usage.getInteger("prompt_tokens")).isEqualTo(3 + 1);
  }

  @Test
  void bytesModeCountsUtf8BytesOverFour() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.BYTES));
    String text = "héllo wörld, 日本語";  // 23 UTF-8 bytes -> 6 tokens
    JsonObject usage = new JsonObject(post("/v1/chat/completions", chat(text, 2)).body()).getJsonObject("usage");
    assertThat(usage.getInteger("prompt_tokens")).isEqualTo((PromptCounter.bytesOf(text) + 3) / 4 + 10);
  }

  @Test
  void outputIsMaxTokensOfDeterministicFiller() {
    start(CostModel.INSTANT);
    JsonObject reply = new JsonObject(post("/v1/chat/completions", chat("Hi", 20)).body());
    JsonObject choice = reply.getJsonArray("choices").getJsonObject(0);
    assertThat(new Object[] {choice.getJsonObject("message").getString("content"),
        reply.getJsonObject("usage").getInteger("completion_tokens"), choice.getString("finish_reason")})
        .containsExactly(Wire.fillerText(20), 20, "length");
  }

  @Test
  void missingMaxTokensUsesTheConfiguredDefault() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K).withDefaultMaxTokens(7));
    JsonObject usage = new JsonObject(post("/v1/chat/completions", chat("Hi", 0)).body()).getJsonObject("usage");
    assertThat(usage.getInteger("completion_tokens")).isEqualTo(7);
  }

  // ---- streaming framing -------------------------------------------------------------------------------------

  private static final Pattern CREATED = Pattern.compile("\"created\":(\\d+)");

  /** vLLM's chat stream: {@code usage} adds the usage chunk, {@code chunkUsage} what every other chunk says. */
  private static String expectedChatStream(String id, String created, int tokens, boolean usage, int prompt,
      Wire.ChunkUsage chunkUsage) {
    String head = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
        + ",\"model\":\"" + MODEL + "\",";
    StringBuilder b = new StringBuilder();
    b.append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
        + "\"logprobs\":null,\"finish_reason\":null}]").append(chunkUsage(chunkUsage, prompt, 0)).append("}\n\n");
    for (int i = 0; i < tokens; i++) {
      b.append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(Wire.WORDS[i])
          .append("\"},\"logprobs\":null,\"finish_reason\":")
          .append(i == tokens - 1 ? "\"length\",\"stop_reason\":null}]" : "null}]")
          .append(chunkUsage(chunkUsage, prompt, i + 1)).append("}\n\n");
    }
    if (usage) {
      b.append(head).append("\"choices\":[],\"usage\":").append(usageObject(prompt, tokens)).append("}\n\n");
    }
    return b.append("data: [DONE]\n\n").toString();
  }

  private static String expectedChatStream(String id, String created, int tokens, boolean usage, int prompt) {
    return expectedChatStream(id, created, tokens, usage, prompt, Wire.ChunkUsage.NONE);
  }

  private static String chunkUsage(Wire.ChunkUsage u, int prompt, int completion) {
    return switch (u) {
      case NONE -> "";
      case NULL -> ",\"usage\":null";
      case SO_FAR -> ",\"usage\":" + usageObject(prompt, completion);
    };
  }

  private static String usageObject(int prompt, int completion) {
    return "{\"prompt_tokens\":" + prompt + ",\"total_tokens\":" + (prompt + completion) + ",\"completion_tokens\":"
        + completion + "}";
  }

  private static String createdOf(String body) {
    Matcher m = CREATED.matcher(body);
    return m.find() ? m.group(1) : "?";
  }

  @Test
  void streamWithoutIncludeUsageIsFramedLikeVllm() {
    start(CostModel.INSTANT);
    Reply r = post("/v1/chat/completions", chat("Hello world!", 3).put("stream", true));
    assertThat(r.body()).isEqualTo(expectedChatStream("chatcmpl-1", createdOf(r.body()), 3, false, 13));
  }

  @Test
  void streamWithIncludeUsageEndsWithAUsageChunkBeforeDone() {
    start(CostModel.INSTANT);
    Reply r = post("/v1/chat/completions", chat("Hello world!", 3).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));
    assertThat(r.body()).isEqualTo(expectedChatStream("chatcmpl-1", createdOf(r.body()), 3, true, 13));
  }

  @Test
  void usageNullCanBePutOnTheOtherChunksAsOpenAiAndVllmUpTo06Did() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K).withUsageNullChunks(true));
    Reply r = post("/v1/chat/completions", chat("Hello world!", 3).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true)));
    assertThat(r.body()).isEqualTo(expectedChatStream("chatcmpl-1", createdOf(r.body()), 3, true, 13,
        Wire.ChunkUsage.NULL));
  }

  private String streamWith(JsonObject options) {
    return post("/v1/chat/completions", chat("Hello world!", 3).put("stream", true).put("stream_options", options))
        .body();
  }

  /**
   * should_include_usage (vllm/entrypoints/serve/utils/api_utils.py): current vLLM streams usage only when
   * include_usage is true (StreamOptions.include_usage defaults to false since PR #36379), and usage on every
   * chunk only with both flags.
   */
  @Test
  void currentVllmStreamsUsageOnlyWhenIncludeUsageIsTrue() {
    start(CostModel.INSTANT);
    String empty = streamWith(new JsonObject());
    String off = streamWith(new JsonObject().put("include_usage", false));
    String continuousAlone = streamWith(new JsonObject().put("continuous_usage_stats", true));
    String both = streamWith(new JsonObject().put("include_usage", true).put("continuous_usage_stats", true));
    assertThat(List.of(empty, off, continuousAlone, both)).containsExactly(
        expectedChatStream("chatcmpl-1", createdOf(empty), 3, false, 13),
        expectedChatStream("chatcmpl-2", createdOf(off), 3, false, 13),
        expectedChatStream("chatcmpl-3", createdOf(continuousAlone), 3, false, 13),
        expectedChatStream("chatcmpl-4", createdOf(both), 3, true, 13, Wire.ChunkUsage.SO_FAR));
  }

  /** vLLM up to PR #36379 (e.g. 0.11): a stream_options object asks for usage unless include_usage is false. */
  @Test
  void olderVllmReadsAStreamOptionsObjectAsAskingForUsage() {
    startLegacy();
    String empty = streamWith(new JsonObject());
    String off = streamWith(new JsonObject().put("include_usage", false).put("continuous_usage_stats", true));
    String continuousAlone = streamWith(new JsonObject().put("continuous_usage_stats", true));
    assertThat(List.of(empty, off, continuousAlone)).containsExactly(
        expectedChatStream("chatcmpl-1", createdOf(empty), 3, true, 13),
        expectedChatStream("chatcmpl-2", createdOf(off), 3, false, 13),
        expectedChatStream("chatcmpl-3", createdOf(continuousAlone), 3, true, 13, Wire.ChunkUsage.SO_FAR));
  }

  @Test
  void completionsStreamCarriesTextChoicesAndNoRoleChunk() {
    start(CostModel.INSTANT);
    JsonObject body = new JsonObject().put("prompt", "Hello world!").put("max_tokens", 2).put("stream", true);
    Reply r = post("/v1/completions", body);
    String head = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":" + createdOf(r.body())
        + ",\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"text\":\"";
    assertThat(r.body()).isEqualTo(head + " the\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]}\n\n"
        + head + " quick\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}\n\n"
        + "data: [DONE]\n\n");
  }

  @Test
  void streamInGpuTimingSendsTheStreamIncrementally() {
    start(MockConfig.of(SMALL, CostModel.GPU, PromptCounter.Mode.CL100K));
    long t0 = System.nanoTime();
    Reply r = post("/v1/chat/completions", chat("Hello world!", 20).put("stream", true));
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    // 20 steps of at least the 8 ms base each: the engine paces the stream in real time
    assertThat(new Object[] {r.body().endsWith("data: [DONE]\n\n"), elapsedMs >= 20 * 8})
        .containsExactly(true, true);
  }

  // ---- disconnects -------------------------------------------------------------------------------------------

  private double metric(String name) {
    for (String line : get("/metrics").split("\n")) {
      if (line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no metric " + name);
  }

  @Test
  void clientDisconnectAbortsTheSequenceAndFreesItsBlocks() throws Exception {
    start(MockConfig.of(SMALL, CostModel.GPU, PromptCounter.Mode.CL100K));
    Promise<Void> firstChunk = Promise.promise();
    context.runOnContext(v -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hello world!", 3000).put("stream", true).toBuffer()))
        .onSuccess(resp -> resp.handler(chunk -> firstChunk.tryComplete())));
    firstChunk.future().await();
    double runningBefore = metric("vllm:num_requests_running");
    double kvBefore = metric("vllm:kv_cache_usage_perc");
    client.close().await();
    client = vertx.createHttpClient();
    eventually(() -> metric("vllm:num_requests_running") == 0 && metric("vllm:kv_cache_usage_perc") == 0);
    assertThat(new Object[] {runningBefore, kvBefore > 0}).containsExactly(1.0, true);
  }

  @Test
  void liveServerPreemptsWhenKvBlocksRunOutAndStillCompletesEveryStream() {
    // 10 blocks of 16 tokens; a request of 13 + 140 tokens needs all 10 when complete, so any overlap of
    // two such streams runs the cache out, however late the second one arrives (slow time: a loaded
    // machine cannot let the first finish before the second is admitted)
    PoolShape tiny = new PoolShape("tiny", 4096, 8, 10, 512, 16);
    start(MockConfig.of(tiny, CostModel.GPU, PromptCounter.Mode.CL100K).withTimeScale(0.5));
    Promise<Void> aStarted = Promise.promise();
    Promise<Reply> aDone = Promise.promise();
    StringBuilder aBody = new StringBuilder();
    context.runOnContext(v -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hello world!", 140).put("stream", true).toBuffer()))
        .onSuccess(resp -> resp.handler(chunk -> {
          aBody.append(chunk.toString());
          aStarted.tryComplete();
        }).endHandler(end -> aDone.complete(new Reply(resp.statusCode(), aBody.toString())))));
    aStarted.future().await();
    Future<Reply> a = aDone.future();
    Future<Reply> b = startOnLoop(() -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hello world!", 140).put("stream", true).toBuffer()))
        .compose(resp -> resp.body().map(x -> new Reply(resp.statusCode(), x.toString()))));
    Future.all(a, b).await();
    String content = Wire.fillerText(140);
    assertThat(new Object[] {metric("vllm:num_preemptions_total") >= 1, streamedText(a.result().body()),
        streamedText(b.result().body())}).containsExactly(true, content, content);
  }

  /** Concatenates the content deltas of an SSE body. */
  private static String streamedText(String sse) {
    StringBuilder text = new StringBuilder();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        JsonArray choices = new JsonObject(line.substring(6)).getJsonArray("choices");
        if (!choices.isEmpty()) {
          text.append(choices.getJsonObject(0).getJsonObject("delta").getString("content", ""));
        }
      }
    }
    return text.toString();
  }

  // ---- metrics and the other endpoints -----------------------------------------------------------------------

  @Test
  void everyVllmMetricNameIsExported() {
    start(CostModel.INSTANT);
    post("/v1/chat/completions", chat("Hello", 2));
    String text = get("/metrics");
    assertThat(Metrics.NAMES).allMatch(name -> text.contains("\n" + name + "{") || text.contains("\n" + name + "_"));
  }

  @Test
  void metricsCountTokens() {
    start(CostModel.INSTANT);
    post("/v1/chat/completions", chat("Hello world!", 5));
    assertThat(new double[] {metric("vllm:prompt_tokens_total"), metric("vllm:generation_tokens_total")})
        .containsExactly(13, 5);
  }

  // ---- prefix caching ----------------------------------------------------------------------------------------

  /**
   * The same prompt twice: the second finds every full block but the one holding its last token. Both counters
   * are in tokens, as vLLM's: queries are both prompts, hits the second's full blocks.
   */
  @Test
  void aRepeatedPromptIsCountedAsQueriedAndHitTokens() throws Exception {
    start(CostModel.INSTANT);
    String text = corpus("en_narrative_pride_ch01-12.txt", 3000);
    int prompt = new JsonObject(post("/v1/chat/completions", chat(text, 2)).body()).getJsonObject("usage")
        .getInteger("prompt_tokens");
    post("/v1/chat/completions", chat(text, 2));
    assertThat(new double[] {metric("vllm:prefix_cache_queries_total"), metric("vllm:prefix_cache_hits_total")})
        .containsExactly(2.0 * prompt, (prompt - 1) / 16 * 16.0);
  }

  /**
   * A conversation's second turn is the first turn's messages, the answer as sent, and a new message. The answer
   * tokenizes back to the tokens generated, so the second turn finds the first prompt and the answer's computed
   * tokens (all but its last, which was sampled and never computed): {@code floor((p1 + a - 1) / 16)} blocks.
   */
  @Test
  void aConversationsNextTurnFindsThePreviousPromptAndAnswerCached() throws Exception {
    start(CostModel.INSTANT);
    String question = corpus("en_doc_python_tutorial.rst", 1200);
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "system").put("content", "Be brief."))
        .add(new JsonObject().put("role", "user").put("content", question));
    JsonObject first = new JsonObject(post("/v1/chat/completions",
        new JsonObject().put("model", MODEL).put("messages", messages).put("max_tokens", 37)).body());
    int p1 = first.getJsonObject("usage").getInteger("prompt_tokens");
    String answer = first.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    messages.add(new JsonObject().put("role", "assistant").put("content", answer))
        .add(new JsonObject().put("role", "user").put("content", "And then?"));
    post("/v1/chat/completions", new JsonObject().put("model", MODEL).put("messages", messages).put("max_tokens", 2));
    assertThat(metric("vllm:prefix_cache_hits_total")).isEqualTo((p1 + 37 - 1) / 16 * 16.0);
  }

  /**
   * With gpu timing a 4,000-token prompt is prefilled in 8 chunks of 512 tokens, about 470 ms of modelled time;
   * again, it finds all but its last block cached and its first token comes after one short step. Slowed 4 times
   * the first TTFT is at least ~1.9 s of wall time whatever the machine's load; the second is asserted below a
   * tenth of it.
   */
  @Test
  void aCacheHitShortensTheTimeToFirstToken() throws Exception {
    start(MockConfig.of(SMALL, CostModel.GPU, PromptCounter.Mode.CL100K).withTimeScale(0.25));
    String text = corpus("en_tech_debref_ch01.txt", 16_000);
    post("/v1/chat/completions", chat(text, 1));
    double first = metric("vllm:time_to_first_token_seconds_sum");
    post("/v1/chat/completions", chat(text, 1));
    double second = metric("vllm:time_to_first_token_seconds_sum") - first;
    assertThat(first).isGreaterThan(1.8);
    assertThat(second).isLessThan(first / 10);
  }

  @Test
  void withoutPrefixCachingNothingIsFound() throws Exception {
    start(MockConfig.of(SMALL.withPrefixCaching(false), CostModel.INSTANT, PromptCounter.Mode.CL100K));
    String text = corpus("en_narrative_pride_ch01-12.txt", 3000);
    post("/v1/chat/completions", chat(text, 2));
    post("/v1/chat/completions", chat(text, 2));
    assertThat(new double[] {metric("vllm:prefix_cache_queries_total"), metric("vllm:prefix_cache_hits_total")})
        .containsExactly(0, 0);
    assertThat(get("/metrics")).contains("enable_prefix_caching=\"False\"");
  }

  /** In bytes mode a next turn finds the previous turn's text, though not its answer. */
  @Test
  void bytesModeFindsThePreviousTurnsText() throws Exception {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.BYTES));
    String question = corpus("en_doc_python_tutorial.rst", 1200);
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", question));
    JsonObject first = new JsonObject(post("/v1/chat/completions",
        new JsonObject().put("model", MODEL).put("messages", messages).put("max_tokens", 37)).body());
    String answer = first.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    messages.add(new JsonObject().put("role", "assistant").put("content", answer))
        .add(new JsonObject().put("role", "user").put("content", "And then?"));
    post("/v1/chat/completions", new JsonObject().put("model", MODEL).put("messages", messages).put("max_tokens", 2));
    int textPieces = PromptCounter.bytesOf(question) / 4;
    assertThat(metric("vllm:prefix_cache_hits_total")).isEqualTo(textPieces / 16 * 16.0);
  }

  @Test
  void cliTurnsPrefixCachingOff() throws Exception {
    assertThat(MockVllmMain.parse(new String[] {}).shape().enablePrefixCaching()).isTrue();
    assertThat(MockVllmMain.parse(new String[] {"--enable-prefix-caching", "false"}).shape().enablePrefixCaching())
        .isFalse();
  }

  @Test
  void modelsListsMaxModelLen() {
    start(CostModel.INSTANT);
    JsonObject model = new JsonObject(get("/v1/models")).getJsonArray("data").getJsonObject(0);
    assertThat(new Object[] {model.getString("id"), model.getInteger("max_model_len")})
        .containsExactly(MODEL, 4096);
  }

  @Test
  void streamOptionsWithoutStreamIsRefusedLikeVllm() {
    start(CostModel.INSTANT);
    JsonObject err = refusal(post("/v1/chat/completions", chat("Hi", 2)
        .put("stream_options", new JsonObject().put("include_usage", true))));
    assertThat(new Object[] {err.getString("param"), err.getString("message")}).containsExactly("stream_options",
        "Stream options can only be defined when `stream=True`. (parameter=stream_options)");
  }

  /** vLLM tests {@code data.get("stream_options")}, which is false for an empty object. */
  @Test
  void emptyStreamOptionsWithoutStreamPass() {
    start(CostModel.INSTANT);
    assertThat(post("/v1/chat/completions", chat("Hi", 2).put("stream_options", new JsonObject())).status())
        .isEqualTo(200);
  }

  @Test
  void unknownModelIs404() {
    start(CostModel.INSTANT);
    Reply r = post("/v1/chat/completions", chat("Hi", 2).put("model", "nope"));
    assertThat(new Object[] {r.status(), new JsonObject(r.body()).getJsonObject("error").getString("type")})
        .containsExactly(404, "NotFoundError");
  }

  // ---- faults ------------------------------------------------------------------------------------------------

  private void startWithFaults(Faults f) {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K).withFaults(f));
  }

  @Test
  void fault503AnswersServiceUnavailable() {
    startWithFaults(new Faults(1, 0, 0, 0, 0, 0, 0, 0, 1));
    assertThat(post("/v1/chat/completions", chat("Hi", 2)).status()).isEqualTo(503);
  }

  @Test
  void faultFractionsAreApproximatelyHonoured() {
    startWithFaults(new Faults(0, 0.3, 0, 0, 0, 0, 0, 0, 42));
    int errors = 0;
    for (int i = 0; i < 200; i++) {
      errors += post("/v1/chat/completions", chat("Hi", 1)).status() == 500 ? 1 : 0;
    }
    assertThat(errors).isBetween(35, 85);
  }

  @Test
  void garbageFaultIsNotSse() {
    startWithFaults(new Faults(0, 0, 0, 0, 1, 0, 0, 0, 1));
    assertThat(post("/v1/chat/completions", chat("Hi", 2).put("stream", true)).body()).doesNotContain("data:");
  }

  @Test
  void resetFaultCutsTheStreamBeforeDone() {
    startWithFaults(new Faults(0, 0, 1, 0, 0, 0, 0, 0, 1));
    Future<Buffer> body = startOnLoop(() -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hi", 10).put("stream", true).toBuffer()))
        .compose(HttpClientResponse::body));
    Throwable failure = body.transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertThat(failure).isNotNull();
  }

  @Test
  void hangFaultSendsNoHeaders() {
    startWithFaults(new Faults(0, 0, 0, 1, 0, 0, 0, 0, 1));
    Throwable failure = startOnLoop(() -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hi", 2).toBuffer()))
        .timeout(500, java.util.concurrent.TimeUnit.MILLISECONDS))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertThat(failure).isInstanceOf(java.util.concurrent.TimeoutException.class);
  }

  @Test
  void dieAfterStopsServing() {
    startWithFaults(new Faults(0, 0, 0, 0, 0, 0, 0, 2, 1));
    post("/v1/chat/completions", chat("Hi", 1));
    post("/v1/chat/completions", chat("Hi", 1));
    Future<Reply> third = startOnLoop(() -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hi", 1).toBuffer()))
        .map(resp -> new Reply(resp.statusCode(), "")));
    third.otherwiseEmpty().await();
    assertThat(third.failed()).isTrue();
  }

  @Test
  void inStreamFaultMakesTheErrorEventTheFirstEventOfA200() {
    startWithFaults(new Faults(0, 0, 0, 0, 0, 1, 0, 0, 1));
    Reply stream = post("/v1/chat/completions", chat("Hi", 5).put("stream", true));
    Reply plain = post("/v1/chat/completions", chat("Hi", 5));
    assertThat(new Object[] {stream.status(), stream.body(), plain.status(),
        new JsonObject(plain.body()).getJsonObject("error").getString("message")})
        .containsExactly(200, GENERATION_ERROR_EVENT + "data: [DONE]\n\n", 500, "Internal server error");
  }

  private static final String GENERATION_ERROR_EVENT = "data: {\"error\": {\"message\": \"Internal server error\", "
      + "\"type\": \"InternalServerError\", \"param\": null, \"code\": 500}}\n\n";

  @Test
  void midStreamFaultSendsTheErrorEventAfterTwoContentChunksAndFreesTheSequence() throws Exception {
    startWithFaults(new Faults(0, 0, 0, 0, 0, 0, 1, 0, 1));
    Reply r = post("/v1/chat/completions", chat("Hello world!", 10).put("stream", true));
    String twoTokens = expectedChatStream("chatcmpl-1", createdOf(r.body()), 10, false, 13);
    int cut = 0;
    for (int i = 0; i < 3; i++) {
      cut = twoTokens.indexOf("\n\n", cut) + 2;
    }
    assertThat(r.body()).isEqualTo(twoTokens.substring(0, cut) + GENERATION_ERROR_EVENT + "data: [DONE]\n\n");
    eventually(() -> metric("vllm:num_requests_running") == 0);
  }

  /** --max-num-queued-reqs caps waiting plus running requests (vLLM PR #49445): the next one gets a 503. */
  @Test
  void queueLimitRefusesTheRequestBeyondItWith503() {
    start(MockConfig.of(SMALL, CostModel.GPU, PromptCounter.Mode.CL100K)
        .withApi(MockConfig.Api.CURRENT.withMaxNumQueuedReqs(1)));
    Promise<Void> firstChunk = Promise.promise();
    context.runOnContext(v -> client.request(HttpMethod.POST, port, "localhost", "/v1/chat/completions")
        .compose(req -> req.send(chat("Hello world!", 3000).put("stream", true).toBuffer()))
        .onSuccess(resp -> resp.handler(chunk -> firstChunk.tryComplete())));
    firstChunk.future().await();
    Reply second = post("/v1/chat/completions", chat("Hi", 2));
    assertThat(new Object[] {second.status(),
        new JsonObject(second.body()).getJsonObject("error").getString("type")})
        .containsExactly(503, "ServiceUnavailableError");
  }

  @Test
  void cliReadsTheVllmVersionQueueLimitAndStreamFaults() throws Exception {
    MockConfig c = MockVllmMain.parse(new String[] {"--vllm-version", "0.11", "--max-num-queued-reqs", "64",
        "--fail-in-stream", "0.25", "--fail-mid-stream", "0.5", "--length-errors-in-stream", "true"});
    assertThat(new Object[] {c.api(), c.faults().inStream(), c.faults().midStream()})
        .containsExactly(new MockConfig.Api(VllmVersion.V0_11, false, 64, true), 0.25, 0.5);
  }

  @Test
  void cliDefaultsAreCurrentVllm() throws Exception {
    assertThat(MockVllmMain.parse(new String[] {}).api()).isEqualTo(MockConfig.Api.CURRENT);
  }

  @Test
  void cliProfileLoadsTheLongShape() throws Exception {
    MockConfig c = MockVllmMain.parse(new String[] {"--profile", "long", "--tokenizer", "bytes", "--port", "0"});
    assertThat(new Object[] {c.shape().maxModelLen(), c.shape().maxNumSeqs(), c.tokenizer()})
        .containsExactly(65536, 16, PromptCounter.Mode.BYTES);
  }

  @Test
  void hostBindsOneLoopbackAddressOnly() throws Exception {
    MockConfig parsed = MockVllmMain.parse(new String[] {"--host", "127.0.0.2", "--port", "0"});
    assertThat(parsed.host()).isEqualTo("127.0.0.2");
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K).withAddress("127.0.0.2", 0));
    try (java.net.Socket there = new java.net.Socket("127.0.0.2", port)) {
      assertThat(there.isConnected()).isTrue();
    }
    boolean refusedElsewhere;
    try (java.net.Socket elsewhere = new java.net.Socket("127.0.0.1", port)) {
      refusedElsewhere = false;
    } catch (java.net.ConnectException e) {
      refusedElsewhere = true;
    }
    assertThat(refusedElsewhere).isTrue();
    assertThat(MockVllmMain.parse(new String[] {}).host()).isEqualTo("0.0.0.0");
  }
}
