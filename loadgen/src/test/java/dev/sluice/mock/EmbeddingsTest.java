package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's {@code POST /v1/embeddings}: vLLM's list body, exact prompt counts, per-input length refusals. */
class EmbeddingsTest {

  private static final PoolShape SMALL = new PoolShape("test", 4096, 8, 1024, 512, 16);
  private static final PromptCounter CL100K = new PromptCounter(PromptCounter.Mode.CL100K);

  private MockHttp http;

  @BeforeEach
  void start() {
    http = new MockHttp(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K));
  }

  @AfterEach
  void stop() {
    http.close();
  }

  private JsonObject embed(Object input) {
    return http.post("/v1/embeddings", new JsonObject().put("model", MockDefaults.MODEL).put("input", input)).json();
  }

  private static JsonArray ids(int n) {
    return new JsonArray(IntStream.range(0, n).boxed().map(i -> (Object) (1000 + i)).toList());
  }

  @Test
  void textsAreCountedWithTheirSpecialTokensAndEmbeddedInVllmsShape() {
    JsonObject body = embed(new JsonArray().add("Hello world!").add("Bonjour, ça va?"));
    int prompt = CL100K.completionPromptTokens(List.of("Hello world!")) + CL100K.completionPromptTokens(
        List.of("Bonjour, ça va?"));
    JsonObject first = body.getJsonArray("data").getJsonObject(0);
    JsonArray vector = first.getJsonArray("embedding");
    double norm = 0;
    for (int i = 0; i < vector.size(); i++) {
      norm += vector.getDouble(i) * vector.getDouble(i);
    }
    assertThat(new java.util.ArrayList<>(body.fieldNames())).containsExactly("id", "object", "created", "model",
        "data", "usage");
    assertThat(List.of(body.getString("id").startsWith("embd-"), body.getString("object"), body.getString("model"),
        body.getJsonArray("data").size(), first.getInteger("index"), first.getString("object"), vector.size()))
        .containsExactly(true, "list", MockDefaults.MODEL, 2, 0, "embedding", MockDefaults.EMBEDDING_DIMENSIONS);
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(body.getJsonObject("usage").encode()).isEqualTo("{\"prompt_tokens\":" + prompt + ",\"total_tokens\":"
        + prompt + ",\"completion_tokens\":0,\"prompt_tokens_details\":null}");
  }

  @Test
  void tokenIdsAreCountedExactly() {
    int nested = embed(new JsonArray().add(ids(3)).add(ids(5))).getJsonObject("usage").getInteger("prompt_tokens");
    int flat = embed(ids(7)).getJsonObject("usage").getInteger("prompt_tokens");
    int withoutSpecial = http.post("/v1/embeddings", new JsonObject().put("input", "Hello world!")
        .put("add_special_tokens", false)).json().getJsonObject("usage").getInteger("prompt_tokens");
    assertThat(List.of(nested, flat, withoutSpecial)).containsExactly(8, 7, CL100K.textTokens(List.of("Hello world!")));
  }

  @Test
  void theSameInputEmbedsTheSame() {
    assertThat(embed("Hello").getJsonArray("data")).isEqualTo(embed("Hello").getJsonArray("data"));
  }

  /** Token ids are counted exactly, so only a prompt of max_model_len + 1 says "at least". */
  @Test
  void anInputLongerThanTheContextGetsTheRenderersRefusal() {
    MockHttp.Reply over = http.post("/v1/embeddings", new JsonObject().put("input", ids(5000)));
    MockHttp.Reply justOver = http.post("/v1/embeddings", new JsonObject().put("input", new JsonArray().add("fits")
        .add(ids(4097))));
    assertThat(List.of(over.status(), over.json().getJsonObject("error").getString("message"), justOver.status(),
        justOver.json().getJsonObject("error").getString("message"))).containsExactly(400,
        "This model's maximum context length is 4096 tokens. However, you requested 0 output tokens and your prompt "
            + "contains 5000 input tokens, for a total of 5000 tokens. Please reduce the length of the input prompt or "
            + "the number of requested output tokens. (parameter=input_tokens, value=5000)", 400,
        "This model's maximum context length is 4096 tokens. However, you requested 0 output tokens and your prompt "
            + "contains at least 4097 input tokens, for a total of at least 4097 tokens. Please reduce the length of "
            + "the input prompt or the number of requested output tokens. (parameter=input_tokens, value=4097)");
  }

  @Test
  void anotherModelIsVllmsNotFound() {
    MockHttp.Reply r = http.post("/v1/embeddings", new JsonObject().put("model", "e5").put("input", "Hi"));
    assertThat(List.of(r.status(), r.json().getJsonObject("error").getString("type"))).containsExactly(404,
        "NotFoundError");
  }
}
