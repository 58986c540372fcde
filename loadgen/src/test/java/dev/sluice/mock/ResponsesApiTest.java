package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mock's {@code POST /v1/responses}: vLLM's Response object, its event stream, its refusals, its store. */
class ResponsesApiTest {

  private static final PoolShape SMALL = new PoolShape("test", 4096, 8, 1024, 512, 16);
  private static final String MODEL = MockDefaults.MODEL;
  private static final PromptCounter CL100K = new PromptCounter(PromptCounter.Mode.CL100K);

  private MockHttp http;

  private void start(MockConfig config) {
    http = new MockHttp(config);
  }

  private void start() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K));
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
  }

  private static int chatTokens(String... texts) {
    return CL100K.chatPromptTokens(List.of(texts), texts.length);
  }

  private static JsonObject request(String input, int maxOutputTokens) {
    JsonObject body = new JsonObject().put("model", MODEL).put("instructions", "Be brief.").put("input", input);
    return maxOutputTokens > 0 ? body.put("max_output_tokens", maxOutputTokens) : body;
  }

  private static String corpus(String file, int chars) throws Exception {
    String shared = System.getProperty("sluice.shared", "../../shared");
    String text = Files.readString(Path.of(shared, "data", "corpus", file), StandardCharsets.UTF_8);
    return text.substring(0, Math.min(chars, text.length()));
  }

  /** ResponsesResponse's fields, in its order (vllm/frontend/entrypoints/openai/responses/protocol.py). */
  private static final List<String> RESPONSE_FIELDS = List.of("id", "created_at", "incomplete_details",
      "instructions", "metadata", "model", "object", "output", "parallel_tool_calls", "temperature", "tool_choice",
      "tools", "top_p", "background", "max_output_tokens", "max_tool_calls", "previous_response_id", "prompt",
      "reasoning", "service_tier", "status", "text", "top_logprobs", "truncation", "usage", "user",
      "presence_penalty", "frequency_penalty", "kv_transfer_params", "ec_transfer_params", "input_messages",
      "output_messages");

  @Test
  void aResponseCutAtMaxOutputTokensIsIncompleteWithItsUsage() {
    start();
    MockHttp.Reply r = http.post("/v1/responses", request("Hello world!", 5));
    JsonObject resp = r.json();
    JsonObject item = resp.getJsonArray("output").getJsonObject(0);
    JsonObject part = item.getJsonArray("content").getJsonObject(0);
    JsonObject usage = resp.getJsonObject("usage");
    int prompt = chatTokens("Be brief.", "Hello world!");
    assertThat(r.status()).isEqualTo(200);
    assertThat(new ArrayList<>(resp.fieldNames())).containsExactlyElementsOf(RESPONSE_FIELDS);
    assertThat(List.of(resp.getString("id").startsWith("resp_"), resp.getString("object"), resp.getString("status"),
        resp.getJsonObject("incomplete_details").getString("reason"), resp.getString("model"),
        resp.getString("instructions"), resp.getInteger("max_output_tokens"), resp.getString("tool_choice")))
        .containsExactly(true, "response", "incomplete", "max_output_tokens", MODEL, "Be brief.", 5, "none");
    assertThat(List.of(item.getString("type"), item.getString("role"), item.getString("status"),
        item.getString("id").startsWith("msg_"), part.getString("type"), part.getString("text")))
        .containsExactly("message", "assistant", "completed", true, "output_text", Wire.fillerText(5));
    assertThat(usage.encode()).isEqualTo("{\"input_tokens\":" + prompt + ",\"input_tokens_details\":{"
        + "\"cached_tokens\":0,\"input_tokens_per_turn\":[],\"cached_tokens_per_turn\":[]},\"output_tokens\":5,"
        + "\"output_tokens_details\":{\"reasoning_tokens\":0,\"tool_output_tokens\":0,\"output_tokens_per_turn\":[],"
        + "\"tool_output_tokens_per_turn\":[]},\"total_tokens\":" + (prompt + 5) + "}");
  }

  @Test
  void withoutMaxOutputTokensTheAnswerEndsOnItsOwnAndIsCompleted() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.CL100K).withDefaultMaxTokens(7));
    JsonObject resp = http.post("/v1/responses", new JsonObject().put("input", "Hello world!")).json();
    int prompt = chatTokens("Hello world!");
    assertThat(List.of(resp.getString("status"), String.valueOf(resp.getValue("incomplete_details")),
        resp.getJsonObject("usage").getInteger("input_tokens"), resp.getJsonObject("usage").getInteger("output_tokens"),
        resp.getInteger("max_output_tokens")))
        .containsExactly("completed", "null", prompt, 7, 4096 - prompt);
  }

  @Test
  void theStreamIsVllmsEventSequenceWithTheUsageInTheCompletedEvent() {
    start();
    MockHttp.Reply r = http.post("/v1/responses", request("Hello world!", 3).put("stream", true));
    List<MockHttp.Event> events = MockHttp.events(r.body());
    List<String> names = events.stream().map(MockHttp.Event::name).toList();
    assertThat(r.contentType()).isEqualTo("text/event-stream; charset=utf-8");
    assertThat(names).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).data().getInteger("sequence_number")).as("event %d", i).isEqualTo(i);
      assertThat(events.get(i).data().getString("type")).isEqualTo(names.get(i));
    }
    JsonObject created = events.get(0).data().getJsonObject("response");
    String itemId = events.get(2).data().getJsonObject("item").getString("id");
    StringBuilder deltas = new StringBuilder();
    for (MockHttp.Event e : events.subList(4, 7)) {
      deltas.append(e.data().getString("delta"));
      assertThat(e.data().getString("item_id")).isEqualTo(itemId);
    }
    JsonObject done = events.get(7).data();
    JsonObject completed = events.get(10).data().getJsonObject("response");
    int prompt = chatTokens("Be brief.", "Hello world!");
    assertThat(List.of(created.getString("status"), String.valueOf(created.getValue("usage")),
        created.getJsonArray("output").size(), created.getString("id")))
        .containsExactly("in_progress", "null", 0, completed.getString("id"));
    assertThat(List.of(deltas.toString(), done.getString("text"), done.getString("item_id"),
        events.get(9).data().getJsonObject("item").getString("status"))).containsExactly(Wire.fillerText(3),
        Wire.fillerText(3), itemId, "completed");
    assertThat(List.of(completed.getString("status"), completed.getJsonObject("usage").getInteger("input_tokens"),
        completed.getJsonObject("usage").getInteger("output_tokens"),
        completed.getJsonObject("usage").getInteger("total_tokens"),
        completed.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text")))
        .containsExactly("incomplete", prompt, 3, prompt + 3, Wire.fillerText(3));
  }

  @Test
  void inputItemsAreCountedAsTheChatMessagesVllmBuildsFromThem() {
    start();
    JsonArray input = new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "You answer in French."))
        .add(new JsonObject().put("type", "message").put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", "Describe a fox."))
            .add(new JsonObject().put("type", "input_text").put("text", " In one line."))))
        .add(new JsonObject().put("type", "function_call_output").put("call_id", "c1").put("output", "42"));
    JsonObject usage = http.post("/v1/responses", new JsonObject().put("input", input).put("max_output_tokens", 2))
        .json().getJsonObject("usage");
    int expected = CL100K.chatPromptTokens(List.of("You answer in French.", "Describe a fox.", " In one line.", "42"),
        3);
    assertThat(usage.getInteger("input_tokens")).isEqualTo(expected);
  }

  /**
   * construct_input_messages: the previous response's messages (its instructions dropped) and its output text come
   * before the new input, so the second turn counts the first turn's input and output as chat messages, and finds
   * them in the prefix cache.
   */
  @Test
  void previousResponseIdPrependsTheEarlierTurnsInputAndOutput() {
    start();
    JsonObject first = http.post("/v1/responses", new JsonObject().put("input", "What is a fox?")
        .put("max_output_tokens", 9)).json();
    JsonObject second = http.post("/v1/responses", new JsonObject().put("model", MODEL).put("input", "And a dog?")
        .put("max_output_tokens", 3).put("previous_response_id", first.getString("id"))).json();
    int expected = CL100K.chatPromptTokens(List.of("What is a fox?", Wire.fillerText(9), "And a dog?"), 3);
    assertThat(List.of(second.getJsonObject("usage").getInteger("input_tokens"),
        second.getString("previous_response_id"), second.getJsonObject("usage").getJsonObject("input_tokens_details")
            .getInteger("cached_tokens") > 0))
        .containsExactly(expected, first.getString("id"), true);
  }

  @Test
  void instructionsAreNotCarriedIntoTheNextTurn() {
    start();
    JsonObject first = http.post("/v1/responses", request("What is a fox?", 4)).json();
    JsonObject second = http.post("/v1/responses", new JsonObject().put("input", "And a dog?")
        .put("instructions", "Answer in French.").put("max_output_tokens", 3)
        .put("previous_response_id", first.getString("id"))).json();
    int expected = CL100K.chatPromptTokens(List.of("Answer in French.", "What is a fox?", Wire.fillerText(4),
        "And a dog?"), 4);
    assertThat(second.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(expected);
  }

  @Test
  void anUnknownOrUnstoredPreviousResponseIsVllmsNotFound() {
    start();
    String unstored = http.post("/v1/responses", request("Hi", 2).put("store", false)).json().getString("id");
    MockHttp.Reply unknown = http.post("/v1/responses", request("Hi", 2).put("previous_response_id", "resp_nope"));
    MockHttp.Reply notKept = http.post("/v1/responses", request("Hi", 2).put("previous_response_id", unstored));
    assertThat(List.of(unknown.status(), unknown.body(), notKept.status())).containsExactly(404,
        "{\"error\":{\"message\":\"Response with id 'resp_nope' not found.\",\"type\":\"invalid_request_error\","
            + "\"param\":\"response_id\",\"code\":404}}", 404);
  }

  @Test
  void aPromptLongerThanTheContextGetsTheRenderersRefusal() throws Exception {
    start();
    MockHttp.Reply r = http.post("/v1/responses", request(corpus("en_narrative_pride_ch01-12.txt", 40_000), 0));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).isEqualTo(Wire.error("This model's maximum context length is 4096 tokens. However, you "
        + "requested 0 output tokens and your prompt contains at least 4097 input tokens, for a total of at least 4097 "
        + "tokens. Please reduce the length of the input prompt or the number of requested output tokens. "
        + "(parameter=input_tokens, value=4097)", "BadRequestError", "input_tokens", 400).toString());
  }

  @Test
  void maxOutputTokensOverTheContextIsRefusedOnThatParam() {
    start();
    JsonObject err = http.post("/v1/responses", request("Hi", 5000)).json().getJsonObject("error");
    assertThat(List.of(err.getString("message"), err.getString("param"))).containsExactly("max_output_tokens=5000 "
        + "cannot be greater than max_model_len=max_total_tokens=4096. Please request fewer output tokens. "
        + "(parameter=max_output_tokens, value=5000)", "max_output_tokens");
  }

  /** A prompt of exactly max_model_len passes the renderer (no output asked) and meets _validate_generator_input. */
  @Test
  void aPromptFillingTheContextExactlyIsRefusedByTheGeneratorCheck() {
    start(MockConfig.of(SMALL, CostModel.INSTANT, PromptCounter.Mode.BYTES));
    MockHttp.Reply r = http.post("/v1/responses", new JsonObject().put("input", "x".repeat(4 * (4096 - 10))));
    assertThat(List.of(r.status(), r.body())).containsExactly(400, "{\"error\":{\"message\":\"The engine prompt "
        + "length 4096 exceeds the max_model_len 4096. Please reduce prompt.\",\"type\":\"invalid_request_error\","
        + "\"param\":\"input\",\"code\":400}}");
  }

  @Test
  void anotherModelIsVllmsNotFound() {
    start();
    MockHttp.Reply r = http.post("/v1/responses", request("Hi", 2).put("model", "gpt-x"));
    assertThat(List.of(r.status(), r.body())).containsExactly(404, "{\"error\":{\"message\":\"The model `gpt-x` does "
        + "not exist.\",\"type\":\"NotFoundError\",\"param\":\"model\",\"code\":404}}");
  }

  @Test
  void aBodyWithoutInputIsThePydanticRefusal() {
    start();
    JsonObject err = http.post("/v1/responses", new JsonObject().put("model", MODEL)).json().getJsonObject("error");
    assertThat(List.of(err.getString("type"), err.getString("param"), err.getInteger("code"), err.getString("message")))
        .containsExactly("Bad Request", "body.input", 400, "1 validation error:\n  {'type': 'missing', 'loc': "
            + "('body', 'input'), 'msg': 'Field required', 'input': {'model': '" + MODEL + "'}}");
  }
}
