package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's {@code POST /v1/messages}: vLLM's Anthropic message, its event stream and its two error shapes. */
class MessagesApiTest {

  private static final PoolShape SMALL = new PoolShape("test", 4096, 8, 1024, 512, 16);
  private static final String MODEL = MockDefaults.MODEL;
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

  private static JsonObject request(String text, int maxTokens) {
    return new JsonObject().put("model", MODEL).put("system", "Be brief.").put("max_tokens", maxTokens)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private static final int PROMPT = CL100K.chatPromptTokens(List.of("Be brief.", "Hello world!"), 2);

  @Test
  void theMessageIsVllmsConversionOfTheChatAnswer() {
    MockHttp.Reply r = http.post("/v1/messages", request("Hello world!", 5));
    assertThat(List.of(r.status(), r.body())).containsExactly(200, "{\"id\":\"chatcmpl-1\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"" + Wire.fillerText(5) + "\"}],"
        + "\"model\":\"" + MODEL + "\",\"stop_reason\":\"max_tokens\",\"usage\":{\"input_tokens\":" + PROMPT
        + ",\"output_tokens\":5}}");
  }

  @Test
  void systemAndContentBlocksCountAsTheirTexts() {
    JsonObject body = new JsonObject().put("model", MODEL).put("max_tokens", 2)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "Be ")).add(
            new JsonObject().put("type", "text").put("text", "brief.")))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "Hello world!")))));
    JsonObject usage = http.post("/v1/messages", body).json().getJsonObject("usage");
    assertThat(usage.getInteger("input_tokens")).isEqualTo(PROMPT);
  }

  @Test
  void theStreamIsVllmsEventSequenceWithUsageAtStartAndInTheDelta() {
    MockHttp.Reply r = http.post("/v1/messages", request("Hello world!", 3).put("stream", true));
    assertThat(r.body()).isEqualTo("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
        + "\"chatcmpl-1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"" + MODEL + "\","
        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + PROMPT + ",\"output_tokens\":0}}}"
        + "\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"content_block\":{\"type\":\"text\","
        + "\"text\":\"\"},\"index\":0}\n\n"
        + delta(" the") + delta(" quick") + delta(" brown")
        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
        + "\"usage\":{\"input_tokens\":" + PROMPT + ",\"output_tokens\":3}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(MockHttp.events(r.body())).hasSize(8);
  }

  private static String delta(String text) {
    return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\","
        + "\"text\":\"" + text + "\"},\"index\":0}\n\n";
  }

  /** The request model refuses the body before vLLM's handler: the app-wide handler answers, in OpenAI's shape. */
  @Test
  void missingMaxTokensIsTheAppWideValidationError() {
    JsonObject body = request("Hi", 1);
    body.remove("max_tokens");
    MockHttp.Reply r = http.post("/v1/messages", body);
    JsonObject err = r.json().getJsonObject("error");
    assertThat(List.of(r.status(), err.getString("type"), err.getString("param"), err.getInteger("code")))
        .containsExactly(400, "Bad Request", "body.max_tokens", 400);
    assertThat(err.getString("message")).isEqualTo("1 validation error:\n  {'type': 'missing', 'loc': ('body', "
        + "'max_tokens'), 'msg': 'Field required', 'input': {'model': '" + MODEL + "', 'system': 'Be brief.', "
        + "'messages': [{'role': 'user', 'content': 'Hi'}]}}");
  }

  @Test
  void aNonPositiveMaxTokensIsTheValidatorsRefusal() {
    JsonObject err = http.post("/v1/messages", request("Hi", 0)).json().getJsonObject("error");
    assertThat(err.getString("message")).isEqualTo("1 validation error:\n  {'type': 'value_error', 'loc': ('body', "
        + "'max_tokens'), 'msg': 'Value error, max_tokens must be positive', 'input': 0, 'ctx': {'error': "
        + "ValueError('max_tokens must be positive')}}");
  }

  @Test
  void aPromptThatDoesNotFitIsRefusedInAnthropicsShape() {
    MockHttp.Reply r = http.post("/v1/messages", request("Hello world!", 4090));
    assertThat(List.of(r.status(), r.body())).containsExactly(400, "{\"type\":\"error\",\"error\":{\"type\":"
        + "\"BadRequestError\",\"message\":\"This model's maximum context length is 4096 tokens. However, you requested "
        + "4090 output tokens and your prompt contains at least 7 input tokens, for a total of at least 4097 tokens. "
        + "Please reduce the length of the input prompt or the number of requested output tokens. "
        + "(parameter=input_tokens, value=7)\"}}");
  }

  /** max_tokens reaches the renderer as max_completion_tokens, the name the refusal gives. */
  @Test
  void maxTokensOverTheContextIsNamedAsChatNamesIt() {
    JsonObject err = http.post("/v1/messages", request("Hi", 5000)).json().getJsonObject("error");
    assertThat(err.getString("message")).isEqualTo("max_completion_tokens=5000 cannot be greater than "
        + "max_model_len=max_total_tokens=4096. Please request fewer output tokens. "
        + "(parameter=max_completion_tokens, value=5000)");
  }

  @Test
  void anotherModelIsNotFoundInAnthropicsShape() {
    MockHttp.Reply r = http.post("/v1/messages", request("Hi", 2).put("model", "claude-x"));
    assertThat(List.of(r.status(), r.body())).containsExactly(404, "{\"type\":\"error\",\"error\":{\"type\":"
        + "\"NotFoundError\",\"message\":\"The model `claude-x` does not exist.\"}}");
  }
}
