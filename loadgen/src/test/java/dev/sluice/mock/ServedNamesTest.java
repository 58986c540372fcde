package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several served names ({@code --served-model-name a b c}): every endpoint takes each, reports the first and refuses
 * any other in its own error shape; {@code /v1/models} lists them all. And {@code /detokenize}.
 */
class ServedNamesTest {

  private static final PoolShape SMALL = new PoolShape("test", 4096, 8, 1024, 512, 16);
  private static final List<String> NAMES = List.of("llama-70b", "llama", "default");

  private MockHttp http;

  @BeforeEach
  void start() {
    http = new MockHttp(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K).withModels(NAMES));
  }

  @AfterEach
  void stop() {
    http.close();
  }

  private static JsonObject body(String path, String model) {
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello"));
    JsonObject b = new JsonObject().put("model", model);
    return switch (path) {
      case "/v1/chat/completions", "/tokenize" -> b.put("messages", messages).put("max_tokens", 2);
      case "/v1/completions" -> b.put("prompt", "Hello").put("max_tokens", 2);
      case "/v1/responses" -> b.put("input", "Hello").put("max_output_tokens", 2);
      case "/v1/messages" -> b.put("messages", messages).put("max_tokens", 2);
      case "/v1/embeddings" -> b.put("input", "Hello");
      default -> b.put("tokens", new JsonArray().add(9906));
    };
  }

  private static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/responses",
      "/v1/messages", "/v1/embeddings", "/tokenize", "/detokenize");

  @Test
  void everyEndpointTakesEveryServedNameAndReportsTheFirst() {
    for (String path : PATHS) {
      for (String name : NAMES) {
        MockHttp.Reply r = http.post(path, body(path, name));
        assertThat(r.status()).as(path + " " + name).isEqualTo(200);
        if (path.startsWith("/v1/")) {
          assertThat(r.json().getString("model")).as(path).isEqualTo(NAMES.get(0));
        }
      }
    }
  }

  @Test
  void anotherNameIsNotFoundInEachEndpointsShape() {
    List<String> bodies = new ArrayList<>();
    for (String path : PATHS) {
      MockHttp.Reply r = http.post(path, body(path, "gpt-x"));
      assertThat(r.status()).as(path).isEqualTo(404);
      bodies.add(r.body());
    }
    String openAi = "{\"error\":{\"message\":\"The model `gpt-x` does not exist.\",\"type\":\"NotFoundError\","
        + "\"param\":\"model\",\"code\":404}}";
    String anthropic = "{\"type\":\"error\",\"error\":{\"type\":\"NotFoundError\",\"message\":\"The model `gpt-x` "
        + "does not exist.\"}}";
    assertThat(bodies).containsExactly(openAi, openAi, openAi, anthropic, openAi, openAi, openAi);
  }

  @Test
  void modelsListsEveryNameWithMaxModelLen() {
    JsonArray data = new JsonObject(http.get("/v1/models")).getJsonArray("data");
    List<Object> seen = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      seen.add(data.getJsonObject(i).getString("id"));
      seen.add(data.getJsonObject(i).getInteger("max_model_len"));
    }
    assertThat(seen).containsExactly("llama-70b", 4096, "llama", 4096, "default", 4096);
  }

  @Test
  void cliTakesSeveralServedNamesAndDefaultsToTheModel() throws Exception {
    assertThat(MockVllmMain.parse(new String[] {"--served-model-name", "a", "b", "c"}).models())
        .containsExactly("a", "b", "c");
    assertThat(MockVllmMain.parse(new String[] {"--model", "m"}).models()).containsExactly("m");
  }

  @Test
  void detokenizeDecodesTheVocabularysIdsAndLlama3sTemplateTokens() {
    String text = "Hello world, ça va?";
    int[] ids = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE).encodeOrdinary(text)
        .toArray();
    JsonArray tokens = new JsonArray().add(128000);
    for (int id : ids) {
      tokens.add(id);
    }
    tokens.add(128009);
    MockHttp.Reply r = http.post("/detokenize", new JsonObject().put("tokens", tokens));
    MockHttp.Reply negative = http.post("/detokenize", new JsonObject().put("tokens", new JsonArray().add(-1)));
    assertThat(List.of(r.status(), r.body(), negative.status())).containsExactly(200,
        new JsonObject().put("prompt", "<|begin_of_text|>" + text + "<|eot_id|>").encode(), 400);
  }
}
