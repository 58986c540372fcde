package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.config.ModelConfig;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The routed APIs beyond chat through a real node in front of two fake upstreams (4 bytes a token, default output
 * reserve 256, short pool 1,000 tokens): where each API's budget comes from, the Anthropic error shape on
 * {@code /v1/messages}, Anthropic's key header, several models with their own ladders and aliases, and Responses
 * continuations sent where their state is. The upstreams' wire formats end to end are in the load generator's
 * tests, against the mock vLLM.
 */
class ApiSurfaceHttpTest extends TwoPoolHttpFixture {

  private static final String KEY = "sk-client";

  private void startPlain() {
    startNode(NodeConfig.embedded(twoPools(), ReliabilityConfig.DEFAULTS));
  }

  private static String text(int tokens) {
    return "abcd".repeat(tokens);
  }

  private String servedBy(Http.Reply reply) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.header("x-sluice-pool");
  }

  @Test
  void embeddingsReserveNoOutputAndCountTokenIdsExactly() {
    startPlain();
    // 900 tokens of text: with chat's output reserve it would not fit the short pool, with none it does
    String one = new JsonObject().put("model", "m").put("input", text(900)).encode();
    assertThat(servedBy(http.post("/v1/embeddings", one))).isEqualTo("short");
    JsonArray ids = new JsonArray();
    IntStream.range(0, 1001).forEach(ids::add);
    String tokens = new JsonObject().put("model", "m").put("input", ids).encode();
    assertThat(servedBy(http.post("/v1/embeddings", tokens))).isEqualTo("long");
    JsonArray rows = new JsonArray().add(new JsonArray(List.of(1, 2, 3))).add(new JsonArray(List.of(4, 5)));
    assertThat(servedBy(http.post("/v1/embeddings", new JsonObject().put("input", rows).encode()))).isEqualTo("short");
    assertThat(shortUp.received.get(0).uri()).isEqualTo("/v1/embeddings");
  }

  @Test
  void tenThousandEmbeddingInputsAreRefusedBeforeAnyUpstream() {
    startPlain();
    JsonArray inputs = new JsonArray();
    IntStream.range(0, 10_000).forEach(i -> inputs.add("item " + i));
    Http.Reply reply = http.post("/v1/embeddings", new JsonObject().put("model", "m").put("input", inputs).encode());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().getString("param")).isEqualTo("input");
    assertThat(reply.error().getString("message")).contains("at most 2048");
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void responsesBudgetsInstructionsInputAndMaxOutputTokens() {
    startPlain();
    JsonObject small = new JsonObject().put("model", "m").put("instructions", "Be brief.")
        .put("input", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", text(100))))))
        .put("max_output_tokens", 50);
    assertThat(servedBy(http.post("/v1/responses", small.encode()))).isEqualTo("short");
    assertThat(servedBy(http.post("/v1/responses", small.copy().put("max_output_tokens", 950).encode())))
        .isEqualTo("long");
    // the instructions count as prompt text too
    assertThat(servedBy(http.post("/v1/responses", small.copy().put("instructions", text(900)).encode())))
        .isEqualTo("long");
  }

  @Test
  void aResponsesItemOfAnUnknownTypeIsRefusedInOpenAisShape() {
    startPlain();
    String body = new JsonObject().put("model", "m").put("input", new JsonArray()
        .add(new JsonObject().put("type", "message").put("role", "user").put("content", "hi"))
        .add(new JsonObject().put("type", "telepathy").put("content", "hi"))).encode();
    Http.Reply reply = http.post("/v1/responses", body);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().getString("message")).contains("input item 1", "unknown type 'telepathy'");
    assertThat(reply.error().getString("param")).isEqualTo("input");
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void messagesErrorsTakeAnthropicsShape() {
    startPlain();
    String noMax = new JsonObject().put("model", "m").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
    Http.Reply missing = http.post("/v1/messages", noMax);
    assertThat(missing.status()).isEqualTo(400);
    JsonObject body = missing.json();
    assertThat(body.getString("type")).isEqualTo("error");
    assertThat(body.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(body.getJsonObject("error").getString("message")).contains("'max_tokens' is required");
    assertThat(body.containsKey("code")).isFalse();
    Http.Reply get = http.get("/v1/messages");
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(get.header("allow")).isEqualTo("POST");
    Http.Reply badJson = http.post("/v1/messages", "{\"model\":");
    assertThat(badJson.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    // the same mistake on an OpenAI path answers in OpenAI's shape
    Http.Reply openAi = http.post("/v1/chat/completions", "{\"model\":");
    assertThat(openAi.error().getString("code")).isEqualTo("invalid_json");
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void messagesBudgetSystemAndMessagesAndGoUpstreamAsSent() {
    startPlain();
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", 100)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", text(500))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text(100))));
    assertThat(servedBy(http.post("/v1/messages", body.encode()))).isEqualTo("short");
    assertThat(servedBy(http.post("/v1/messages", body.copy()
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", text(900)))).encode())))
        .isEqualTo("long");
    assertThat(shortUp.received.get(0).uri()).isEqualTo("/v1/messages");
    assertThat(shortUp.received.get(0).body().toString()).isEqualTo(body.encode());
  }

  @Test
  void anthropicsKeyHeaderAuthenticatesAndNeverGoesUpstream() {
    startNode(NodeConfig.embedded(twoPools(), ReliabilityConfig.DEFAULTS
        .withKeys(List.of(new ApiKey("team", ApiKeys.sha256Hex(KEY), 0, 0)))));
    String body = new JsonObject().put("model", "m").put("max_tokens", 10).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
    Http.Reply refused = http.send(HttpMethod.POST, "/v1/messages", body,
        h -> h.set("content-type", "application/json").set("x-api-key", "wrong"), null);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().getJsonObject("error").getString("type")).isEqualTo("authentication_error");
    Http.Reply served = http.send(HttpMethod.POST, "/v1/messages", body,
        h -> h.set("content-type", "application/json").set("x-api-key", KEY).set("anthropic-version", "2023-06-01"),
        null);
    assertThat(served.status()).isEqualTo(200);
    FakeUpstream.Received got = shortUp.received.get(0);
    assertThat(got.headers().get("x-api-key")).isNull();
    assertThat(got.headers().get("anthropic-version")).isEqualTo("2023-06-01");
  }

  @Test
  void tokenizeAndDetokenizeGoToThePoolThatWouldServeTheSameBody() {
    startPlain();
    String small = new JsonObject().put("model", "m").put("prompt", text(100)).encode();
    String large = new JsonObject().put("model", "m").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", text(900)))).encode();
    assertThat(servedBy(http.post("/tokenize", small))).isEqualTo("short");
    assertThat(servedBy(http.post("/tokenize", large))).isEqualTo("long");
    JsonArray ids = new JsonArray();
    IntStream.range(0, 800).forEach(ids::add);
    assertThat(servedBy(http.post("/detokenize", new JsonObject().put("tokens", ids).encode()))).isEqualTo("long");
    assertThat(shortUp.received.get(0).uri()).isEqualTo("/tokenize");
    assertThat(longUp.received.get(1).uri()).isEqualTo("/detokenize");
  }

  @Test
  void aModelNameOfTenKilobytesIsRefused() {
    startPlain();
    Http.Reply reply = http.post("/v1/chat/completions", chatBody("hi", false).replace("\"m\"",
        "\"" + "x".repeat(10_240) + "\""));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().getString("param")).isEqualTo("model");
    assertThat(shortUp.received).isEmpty();
  }

  // ---- several models ------------------------------------------------------------------------------------------

  private FakeUpstream qwenUp;

  /** llama (alias llama-latest) over short and long, listed out of order; qwen alone on its own pool. */
  private void startModels() {
    qwenUp = new FakeUpstream(vertx, "qwen").start().await();
    extra.add(qwenUp);
    startNode(NodeConfig.embedded(twoPools().withPool(pool("qwen-pool", 32_768, qwenUp.url()))
        .withModels(List.of(new ModelConfig("llama", List.of("llama-latest"), List.of("long", "short")),
            new ModelConfig("qwen", List.of(), List.of("qwen-pool")))), ReliabilityConfig.DEFAULTS));
  }

  private static String chat(String model, int maxTokens) {
    return new JsonObject().put("model", model).put("max_tokens", maxTokens).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
  }

  @Test
  void eachModelClimbsItsOwnLadder() {
    startModels();
    assertThat(servedBy(http.post("/v1/chat/completions", chat("llama", 100)))).isEqualTo("short");
    assertThat(servedBy(http.post("/v1/chat/completions", chat("llama", 5_000)))).isEqualTo("long");
    // qwen's only pool, whatever the budget: it is never sent to llama's pools
    assertThat(servedBy(http.post("/v1/chat/completions", chat("qwen", 100)))).isEqualTo("qwen-pool");
    assertThat(servedBy(http.post("/v1/chat/completions", chat("qwen", 200_000)))).isEqualTo("qwen-pool");
    assertThat(qwenUp.received).hasSize(2);
  }

  @Test
  void anAliasResolvesAndTheUpstreamGetsTheModelsOwnName() {
    startModels();
    String body = chat("llama-latest", 10);
    assertThat(servedBy(http.post("/v1/chat/completions", body))).isEqualTo("short");
    String sent = shortUp.received.get(0).body().toString();
    assertThat(new JsonObject(sent).getString("model")).isEqualTo("llama");
    // every other byte as the client wrote it
    assertThat(sent).isEqualTo(body.replace("\"llama-latest\"", "\"llama\""));
    // with the stream's usage asked for too: both edits, each in its place
    String stream = new JsonObject(body).put("stream", true).encode();
    http.post("/v1/chat/completions", stream);
    JsonObject streamed = new JsonObject(shortUp.received.get(1).body());
    assertThat(streamed.getString("model")).isEqualTo("llama");
    assertThat(streamed.getBoolean("stream")).isTrue();
  }

  @Test
  void anUnknownModelIsRefusedWithoutTouchingAnUpstreamInEachApisShape() {
    startModels();
    Http.Reply chat = http.post("/v1/chat/completions", chat("gpt-9", 10));
    assertThat(chat.status()).isEqualTo(404);
    assertThat(chat.error().getString("code")).isEqualTo("model_not_found");
    assertThat(chat.error().getString("param")).isEqualTo("model");
    Http.Reply messages = http.post("/v1/messages", chat("gpt-9", 10));
    assertThat(messages.status()).isEqualTo(404);
    assertThat(messages.json().getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    // two models served: a request must say which
    Http.Reply unnamed = http.post("/v1/embeddings", new JsonObject().put("input", "hi").encode());
    assertThat(unnamed.status()).isEqualTo(400);
    assertThat(unnamed.error().getString("param")).isEqualTo("model");
    assertThat(shortUp.received.size() + longUp.received.size() + qwenUp.received.size()).isZero();
  }

  @Test
  void theModelListNamesEveryModelAndAliasWithItsLargestContext() {
    startModels();
    Http.Reply reply = http.get("/v1/models");
    assertThat(reply.status()).isEqualTo(200);
    List<String> rows = new ArrayList<>();
    for (Object o : reply.json().getJsonArray("data")) {
      JsonObject m = (JsonObject) o;
      rows.add(m.getString("id") + "=" + m.getInteger("max_model_len") + "<" + m.getString("root"));
    }
    assertThat(rows).containsExactly("llama=100000<llama", "llama-latest=100000<llama", "qwen=32768<qwen");
    // answered from the configuration: no upstream asked
    assertThat(shortUp.modelsAsked).isEmpty();
  }

  // ---- Responses continuations ----------------------------------------------------------------------------

  /** Answers a Responses request with a new id that names the upstream that made it. */
  private static void responses(FakeUpstream self, io.vertx.core.http.HttpServerRequest req,
      io.vertx.core.buffer.Buffer body) {
    String id = "resp_" + self.name + "_" + self.received.size();
    self.json(req.response(), 200, new JsonObject().put("id", id).put("object", "response").put("status", "completed")
        .put("usage", new JsonObject().put("input_tokens", 7).put("output_tokens", 3).put("total_tokens", 10))
        .encode());
  }

  @Test
  void aContinuationGoesToTheEndpointThatMadeItsResponseAndAnUnknownOneToTheLargestPool() {
    FakeUpstream shortTwin = new FakeUpstream(vertx, "short-twin").start().await();
    extra.add(shortTwin);
    for (FakeUpstream u : List.of(shortUp, shortTwin, longUp)) {
      u.behavior = ApiSurfaceHttpTest::responses;
    }
    startNode(NodeConfig.embedded(base().withPool(pool("short", SHORT_CONTEXT, shortUp.url(), shortTwin.url()))
        .withPool(pool("long", LONG_CONTEXT, longUp.url())), ReliabilityConfig.DEFAULTS));
    JsonObject first = new JsonObject().put("model", "m").put("input", "hello").put("max_output_tokens", 10);
    Http.Reply made = http.post("/v1/responses", first.encode());
    assertThat(made.header("x-sluice-pool")).isEqualTo("short");
    String id = made.json().getString("id");
    String maker = id.substring("resp_".length(), id.lastIndexOf('_'));
    // each continuation says something else: affinity alone would scatter them over the pool's two endpoints
    for (int i = 0; i < 10; i++) {
      Http.Reply next = http.post("/v1/responses", first.copy().put("input", "and then " + i)
          .put("previous_response_id", id).encode());
      assertThat(next.header("x-sluice-pool")).isEqualTo("short");
      String again = next.json().getString("id");
      assertThat(again).startsWith("resp_" + maker + "_");
    }
    Http.Reply unknown = http.post("/v1/responses", first.copy().put("previous_response_id", "resp_elsewhere").encode());
    assertThat(unknown.header("x-sluice-pool")).isEqualTo("long");
    Http.Reply conversation = http.post("/v1/responses", first.copy().put("conversation", "conv_1").encode());
    assertThat(conversation.header("x-sluice-pool")).isEqualTo("long");
  }
}
