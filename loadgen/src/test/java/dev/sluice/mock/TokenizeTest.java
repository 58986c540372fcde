package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's {@code POST /tokenize}: vLLM's shape, and the count its completions report as usage. */
class TokenizeTest {
  private static final PoolShape SHAPE = new PoolShape("test", 8192, 8, 4096, 2048, 16);
  private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  private Vertx vertx;
  private HttpClientAgent client;
  private int port;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    MockVllm mock = new MockVllm(MockConfig.of(SHAPE, CostModel.INSTANT, PromptCounter.Mode.O200K));
    vertx.deployVerticle(mock).await();
    port = mock.actualPort();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private record Reply(int status, JsonObject json) {
  }

  private Reply post(String path, JsonObject body) {
    Promise<Reply> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.request(HttpMethod.POST, port, "127.0.0.1", path)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), new JsonObject(b))))
        .onComplete(done));
    return done.future().await();
  }

  private static JsonArray messages(String... texts) {
    JsonArray m = new JsonArray();
    for (int i = 0; i < texts.length; i++) {
      m.add(new JsonObject().put("role", i % 2 == 0 ? "user" : "assistant").put("content", texts[i]));
    }
    return m;
  }

  @Test
  void countsAChatLikeItsCompletionsUsageAndListsTheTokens() {
    JsonArray messages = messages("Summarise: 東京は日本の首都です。", "Tokyo is Japan's capital.", "And Kyoto?");

    Reply tokenize = post("/tokenize", new JsonObject().put("model", MockDefaults.MODEL).put("messages", messages));
    Reply chat = post("/v1/chat/completions", new JsonObject().put("model", MockDefaults.MODEL)
        .put("messages", messages).put("max_tokens", 3));

    int text = O200K.countTokensOrdinary("Summarise: 東京は日本の首都です。")
        + O200K.countTokensOrdinary("Tokyo is Japan's capital.") + O200K.countTokensOrdinary("And Kyoto?");
    assertThat(tokenize.status()).isEqualTo(200);
    assertThat(tokenize.json().fieldNames()).containsExactly("count", "max_model_len", "tokens", "token_strs");
    assertThat(List.of(tokenize.json().getInteger("count"), tokenize.json().getInteger("max_model_len"),
        tokenize.json().getJsonArray("tokens").size())).containsExactly(text + PromptCounter.chatOverhead(3), 8192,
        text + PromptCounter.chatOverhead(3));
    assertThat(chat.json().getJsonObject("usage").getInteger("prompt_tokens"))
        .isEqualTo(tokenize.json().getInteger("count"));
  }

  @Test
  void followsTheTemplateAndSpecialTokenSwitches() {
    String text = "Once upon a time";
    int n = O200K.countTokensOrdinary(text);

    int withoutGeneration = post("/tokenize", new JsonObject().put("messages", messages(text))
        .put("add_generation_prompt", false)).json().getInteger("count");
    int prompt = post("/tokenize", new JsonObject().put("prompt", text)).json().getInteger("count");
    int bare = post("/tokenize", new JsonObject().put("prompt", text).put("add_special_tokens", false)).json()
        .getInteger("count");

    assertThat(List.of(withoutGeneration, prompt, bare)).containsExactly(
        n + PromptCounter.chatOverhead(1) - PromptCounter.GENERATION_PROMPT_TOKENS, n + PromptCounter.BOS_TOKENS, n);
  }

  @Test
  void refusesAnotherModelAndABodyWithoutAPrompt() {
    Reply other = post("/tokenize", new JsonObject().put("model", "gpt-x").put("messages", messages("hi")));
    Reply none = post("/tokenize", new JsonObject().put("model", MockDefaults.MODEL));

    assertThat(List.of(other.status(), other.json().getJsonObject("error").getString("message"), none.status()))
        .containsExactly(404, "The model `gpt-x` does not exist.", 400);
  }
}
