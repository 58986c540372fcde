package dev.sluice.mock;

import dev.sluice.engine.RequestTimes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * vLLM's Responses API, {@code POST /v1/responses} ({@code vllm/frontend/entrypoints/openai/responses/serving.py},
 * {@code protocol.py}, {@code utils.py}): the request's messages, its checks in vLLM's order, and the answer that
 * {@link ResponsesWire} lays out. Errors are in the OpenAI shape.
 *
 * <p>The prompt is {@code construct_input_messages}: {@code instructions} as a system message; with
 * {@code previous_response_id}, that response's messages without their system ones, then its output text as an
 * assistant message; then {@code input} (a string is one user message). The mock stores every response it
 * finishes unless the request says {@code "store": false}, as vLLM does with
 * {@code VLLM_ENABLE_RESPONSES_API_STORE=1} (without it vLLM stores nothing and every id is unknown).
 */
final class ResponsesApi implements Endpoint {

  /** The responses kept for {@code previous_response_id}: their messages (no system ones) and their output. */
  static final class Store {
    private final Map<String, Stored> byId;

    Store(int capacity) {
      byId = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stored> eldest) {
          return size() > capacity;
        }
      };
    }

    Stored get(String id) {
      return byId.get(id);
    }

    void put(String id, Stored stored) {
      byId.put(id, stored);
    }

    int size() {
      return byId.size();
    }
  }

  /** One finished response as a next turn sees it. */
  record Stored(List<ChatPrompt.Message> messages, int outputTokens) {
  }

  private final MockConfig config;
  private final PromptCounter counter;
  private final Store store;
  private final JsonObject json;
  private final MockRequest prompt;
  private final List<ChatPrompt.Message> history;
  private final Integer maxOutputTokens;

  private ResponsesApi(MockConfig config, PromptCounter counter, Store store, JsonObject json, ChatPrompt prompt,
      Integer maxOutputTokens) {
    this.config = config;
    this.counter = counter;
    this.store = store;
    this.json = json;
    this.prompt = prompt.toRequest(json.getValue("model") instanceof String m ? m : null,
        Boolean.TRUE.equals(json.getValue("stream")), maxOutputTokens == null ? -1 : maxOutputTokens,
        "max_output_tokens");
    List<ChatPrompt.Message> kept = new ArrayList<>();
    for (ChatPrompt.Message m : prompt.messages()) {
      if (!m.role().equals("system")) {
        kept.add(m);
      }
    }
    this.history = List.copyOf(kept);
    this.maxOutputTokens = maxOutputTokens;
  }

  /**
   * Reads a body, in vLLM's order: the pydantic model (400, OpenAI shape with type "Bad Request"), the model name
   * (404), the previous response (404).
   */
  static Endpoint parse(byte[] body, MockConfig config, PromptCounter counter, Store store) throws Refused {
    JsonObject json = object(body);
    Object input = json.getValue("input");
    if (input == null) {
      throw new Refused(400, ValidationErrors.body(List.of(ValidationErrors.Problem.missing("input", json))));
    }
    if (!(input instanceof String) && !(input instanceof JsonArray)) {
      throw new Refused(400, ValidationErrors.body(List.of(new ValidationErrors.Problem("string_type", "input",
          "Input should be a valid string", input, null))));
    }
    Object max = json.getValue("max_output_tokens");
    if (max != null && !(max instanceof Integer || max instanceof Long)) {
      throw new Refused(400, ValidationErrors.body(List.of(new ValidationErrors.Problem("int_type",
          "max_output_tokens", "Input should be a valid integer", max, null))));
    }
    Object model = json.getValue("model");
    if (model instanceof String name && !config.serves(name)) {
      throw new Refused(404, Wire.error("The model `" + name + "` does not exist.", "NotFoundError", "model", 404));
    }
    ChatPrompt prompt = new ChatPrompt();
    if (json.getValue("instructions") instanceof String instructions && !instructions.isEmpty()) {
      prompt.add("system", instructions);
    }
    if (json.getValue("previous_response_id") instanceof String previous) {
      Stored stored = store.get(previous);
      if (stored == null) {
        throw new Refused(404, Wire.error("Response with id '" + previous + "' not found.", "invalid_request_error",
            "response_id", 404));
      }
      prompt.addAll(stored.messages()).add("assistant", Wire.fillerText(stored.outputTokens()));
    }
    if (input instanceof String text) {
      prompt.add("user", text);
    } else {
      addItems((JsonArray) input, prompt);
    }
    Integer maxOutput = max == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
        ((Number) max).longValue()));
    return new ResponsesApi(config, counter, store, json, prompt, maxOutput);
  }

  /**
   * The input items as {@code construct_chat_messages_with_tool_call} turns them into chat messages. An assistant
   * message contributes its first part's text; a function call, its name and arguments; a call's output, a tool
   * message. Reasoning items add nothing the Llama 3 template renders; other items are left out.
   */
  private static void addItems(JsonArray items, ChatPrompt prompt) {
    for (Object o : items) {
      if (!(o instanceof JsonObject item)) {
        continue;
      }
      String type = item.getValue("type") instanceof String t ? t : "message";
      switch (type) {
        case "message" -> {
          String role = item.getValue("role") instanceof String r ? r : "user";
          Object content = item.getValue("content");
          List<String> parts = new ArrayList<>();
          if (content instanceof String s) {
            parts.add(s);
          } else if (content instanceof JsonArray array) {
            for (Object p : array) {
              if (p instanceof JsonObject part && part.getValue("text") instanceof String text) {
                parts.add(text);
                if (role.equals("assistant")) {
                  break;  // vLLM takes an assistant message's content[0].text
                }
              }
            }
          }
          prompt.add(role, parts);
        }
        case "function_call" -> prompt.add("assistant", List.of(item.getString("name", ""),
            item.getString("arguments", "")));
        case "function_call_output" -> prompt.add("tool",
            item.getValue("output") instanceof String out ? out : String.valueOf(item.getValue("output")));
        default -> {
        }
      }
    }
  }

  static JsonObject object(byte[] body) throws Refused {
    try {
      Object v = Json.decodeValue(Buffer.buffer(body));
      if (v instanceof JsonObject o) {
        return o;
      }
    } catch (DecodeException e) {
      // answered below
    }
    throw new Refused(400, ValidationErrors.invalidJson());
  }

  @Override
  public MockRequest prompt() {
    return prompt;
  }

  @Override
  public Buffer error(int status, String message, String type, String param) {
    return Wire.error(message, type, param, status);
  }

  /**
   * The renderer's length checks (param names from {@code ResponsesRequest.build_tok_params}), then
   * {@code _validate_generator_input}, then {@code SamplingParams}' floor of one output token.
   */
  @Override
  public Plan admit(long id, int promptTokens) throws Refused {
    int total = config.shape().maxModelLen();
    int asked = maxOutputTokens == null ? 0 : maxOutputTokens;  // `max_output_tokens or 0`
    MockRequest.Invalid refusal = RendererLimits.check(total, asked, "max_output_tokens", prompt.textChars(),
        promptTokens, counter.maxCharsPerToken());
    if (refusal != null) {
      throw new Refused(400, Wire.error(refusal.vllmMessage(), "BadRequestError", refusal.param, 400));
    }
    if (promptTokens >= total) {
      throw new Refused(400, Wire.error("The engine prompt length " + promptTokens + " exceeds the max_model_len "
          + total + ". Please reduce prompt.", "invalid_request_error", "input", 400));
    }
    int room = total - promptTokens;
    if (maxOutputTokens != null && maxOutputTokens < 1) {
      MockRequest.Invalid floor = new MockRequest.Invalid("max_tokens must be at least 1, got " + maxOutputTokens
          + ".", "max_tokens", maxOutputTokens);
      throw new Refused(400, Wire.error(floor.vllmMessage(), "BadRequestError", "max_tokens", 400));
    }
    int output;
    boolean cut;
    int cap;
    if (maxOutputTokens != null) {
      output = Math.min(maxOutputTokens, room);
      cut = true;
      cap = output;
    } else {
      // vLLM's default cap is the room left; the mock's answer ends on its own after defaultMaxTokens tokens
      output = Math.min(config.defaultMaxTokens(), room);
      cut = output < config.defaultMaxTokens();
      cap = room;
    }
    return new Plan(output, new Reply(promptTokens, output, cut, cap));
  }

  private static String literal(Object v) {
    return v == null ? "null" : Json.encode(v);
  }

  private static String number(Object v, String otherwise) {
    return v instanceof Number n ? Double.toString(n.doubleValue()) : otherwise;
  }

  /** One response's bytes; it stores itself when it finishes. */
  private final class Reply implements Endpoint.Answer {
    private final String responseId = "resp_" + hex();
    private final byte[] streamItemId = Wire.jsonString("msg_" + hex());
    private final ResponsesWire.Frame frame;
    private final int promptTokens;
    private final int outputTokens;
    private final String status;

    Reply(int promptTokens, int outputTokens, boolean cut, int cap) {
      this.promptTokens = promptTokens;
      this.outputTokens = outputTokens;
      this.status = cut ? "incomplete" : "completed";
      boolean tools = json.getValue("tools") instanceof JsonArray array && !array.isEmpty();
      // check_tool_usage: without tools, tool_choice "auto" (the default) becomes "none"
      Object toolChoice = json.getValue("tool_choice");
      String choice = tools ? literal(toolChoice == null ? "auto" : toolChoice)
          : (toolChoice == null || "auto".equals(toolChoice) ? "\"none\"" : literal(toolChoice));
      this.frame = ResponsesWire.frame(responseId, System.currentTimeMillis() / 1000,
          literal(json.getValue("instructions")), literal(json.getValue("metadata")), Json.encode(config.model()),
          choice, tools ? literal(json.getValue("tools")) : "[]", number(json.getValue("temperature"), "1.0"),
          number(json.getValue("top_p"), "1.0"), cap, literal(json.getValue("previous_response_id")),
          literal(json.getValue("text")), literal(json.getValue("truncation") == null ? "disabled"
              : json.getValue("truncation")), literal(json.getValue("user")));
    }

    @Override
    public Buffer head() {
      return ResponsesWire.opening(frame);
    }

    @Override
    public Buffer token(int index, boolean last) {
      Buffer out = Buffer.buffer(index == 0 ? 700 : 200);
      // created 0, in_progress 1, item added 2, part added 3, then one delta per token from 4
      if (index == 0) {
        ResponsesWire.appendItemOpened(out, streamItemId, 2);
      }
      ResponsesWire.appendDelta(out, streamItemId, index, 4L + index);
      return out;
    }

    @Override
    public Buffer tail(RequestTimes times) {
      Buffer out = Buffer.buffer(3000 + outputTokens * 21);
      ResponsesWire.appendClose(out, streamItemId, outputTokens, 4L + outputTokens, response(times));
      return out;
    }

    @Override
    public Buffer body(RequestTimes times) {
      return response(times);
    }

    /** The finished response; vLLM makes its output item anew, with an id of its own, even after a stream. */
    private Buffer response(RequestTimes times) {
      if (!Boolean.FALSE.equals(json.getValue("store"))) {
        store.put(responseId, new Stored(history, outputTokens));
      }
      Buffer out = Buffer.buffer(1500 + outputTokens * 7);
      ResponsesWire.appendResponse(out, frame, status, ResponsesWire.message("msg_" + hex(), outputTokens),
          ResponsesWire.usage(promptTokens, times.cachedTokens(), outputTokens));
      return out;
    }
  }

  /** vLLM's {@code random_uuid}: 32 hex digits. */
  private static String hex() {
    UUID u = UUID.randomUUID();
    return String.format("%016x%016x", u.getMostSignificantBits(), u.getLeastSignificantBits());
  }
}
