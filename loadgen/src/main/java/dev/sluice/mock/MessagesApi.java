package dev.sluice.mock;

import dev.sluice.engine.RequestTimes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * vLLM's Anthropic Messages API, {@code POST /v1/messages}
 * ({@code vllm/frontend/entrypoints/anthropic/serving.py}, {@code api_router.py}; the request model in
 * {@code vllm/entrypoints/anthropic/protocol.py}). vLLM turns the request into a chat completion
 * ({@code to_chat_completion_request}) and that one's answer back into a message, so the prompt is counted as
 * chat counts it and a refusal carries chat's text, with {@code max_tokens} passed on as
 * {@code max_completion_tokens}. Errors from the handler are in Anthropic's shape; a body the request model
 * refuses (no {@code max_tokens}, say) never reaches the handler and gets the app-wide OpenAI-shaped 400
 * ({@link ValidationErrors}).
 */
final class MessagesApi implements Endpoint {

  private static final String BILLING_HEADER = "x-anthropic-billing-header";

  private final MockConfig config;
  private final PromptCounter counter;
  private final MockRequest prompt;

  private MessagesApi(MockConfig config, PromptCounter counter, MockRequest prompt) {
    this.config = config;
    this.counter = counter;
    this.prompt = prompt;
  }

  /** Reads a body: the request model's required fields and validators (OpenAI-shaped 400), then the model (404). */
  static Endpoint parse(byte[] body, MockConfig config, PromptCounter counter) throws Refused {
    JsonObject json = ResponsesApi.object(body);
    List<ValidationErrors.Problem> problems = new ArrayList<>();
    Object model = json.getValue("model");
    if (model == null) {
      problems.add(ValidationErrors.Problem.missing("model", json));
    } else if ("".equals(model)) {
      problems.add(ValidationErrors.Problem.valueError("model", model, "Model is required"));
    }
    Object messages = json.getValue("messages");
    if (messages == null) {
      problems.add(ValidationErrors.Problem.missing("messages", json));
    }
    Object max = json.getValue("max_tokens");
    if (max == null) {
      problems.add(ValidationErrors.Problem.missing("max_tokens", json));
    } else if (!(max instanceof Integer || max instanceof Long)) {
      problems.add(new ValidationErrors.Problem("int_type", "max_tokens", "Input should be a valid integer", max,
          null));
    } else if (((Number) max).longValue() <= 0) {
      problems.add(ValidationErrors.Problem.valueError("max_tokens", max, "max_tokens must be positive"));
    }
    if (!problems.isEmpty()) {
      throw new Refused(400, ValidationErrors.body(problems));
    }
    if (model instanceof String name && !config.serves(name)) {
      throw new Refused(404, MessagesWire.error("NotFoundError", "The model `" + name + "` does not exist."));
    }
    ChatPrompt chat = conversation(json.getValue("system"), messages instanceof JsonArray a ? a : new JsonArray());
    int maxTokens = (int) Math.min(Integer.MAX_VALUE, ((Number) max).longValue());
    return new MessagesApi(config, counter, chat.toRequest(model instanceof String m ? m : null,
        Boolean.TRUE.equals(json.getValue("stream")), maxTokens, "max_completion_tokens"));
  }

  /**
   * The chat messages vLLM builds: {@code system} (a string or text blocks) and every system message of the
   * conversation joined into one leading system message (vLLM merges inline system messages when no
   * {@code --chat-template} is given); each message's text blocks; a tool result as a tool message before its
   * user message; a tool use as its name and input on the assistant message. Images and thinking blocks add
   * nothing the mock counts.
   */
  private static ChatPrompt conversation(Object system, JsonArray messages) {
    StringBuilder systemText = new StringBuilder();
    if (system instanceof String s) {
      systemText.append(s);
    } else if (system instanceof JsonArray blocks) {
      appendTexts(blocks, systemText);
    }
    for (Object o : messages) {
      if (o instanceof JsonObject m && "system".equals(m.getValue("role"))) {
        if (m.getValue("content") instanceof String s) {
          if (!s.startsWith(BILLING_HEADER)) {
            systemText.append(s);
          }
        } else if (m.getValue("content") instanceof JsonArray blocks) {
          appendTexts(blocks, systemText);
        }
      }
    }
    ChatPrompt chat = new ChatPrompt();
    if (systemText.length() > 0) {
      chat.add("system", systemText.toString());
    }
    for (Object o : messages) {
      if (!(o instanceof JsonObject m) || "system".equals(m.getValue("role"))) {
        continue;
      }
      String role = m.getValue("role") instanceof String r ? r : "user";
      if (role.equals("ctx") || role.equals("msg")) {
        role = "user";  // normalize_role: Claude Code's own roles
      }
      Object content = m.getValue("content");
      if (content instanceof String s) {
        chat.add(role, s);
        continue;
      }
      List<String> parts = new ArrayList<>();
      if (content instanceof JsonArray blocks) {
        for (Object b : blocks) {
          if (!(b instanceof JsonObject block)) {
            continue;
          }
          switch (String.valueOf(block.getValue("type"))) {
            case "text" -> {
              if (block.getValue("text") instanceof String text && !text.isEmpty()) {
                parts.add(text);
              }
            }
            case "tool_use" -> {
              parts.add(block.getValue("name") instanceof String n ? n : "");
              parts.add(block.getValue("input") == null ? "{}" : Json.encode(block.getValue("input")));
            }
            case "tool_result" -> {
              String result = toolResultText(block.getValue("content"));
              if (role.equals("user")) {
                chat.add("tool", result);
              } else {
                parts.add("Tool result: " + result);
              }
            }
            default -> {
            }
          }
        }
      }
      // a user message left without content (all tool results, say) is not sent on; others always are
      if (!parts.isEmpty() || !role.equals("user")) {
        chat.add(role, parts);
      }
    }
    return chat;
  }

  private static void appendTexts(JsonArray blocks, StringBuilder out) {
    for (Object b : blocks) {
      if (b instanceof JsonObject block && "text".equals(block.getValue("type"))
          && block.getValue("text") instanceof String text && !text.isEmpty() && !text.startsWith(BILLING_HEADER)) {
        out.append(text);
      }
    }
  }

  private static String toolResultText(Object content) {
    if (content instanceof String s) {
      return s;
    }
    List<String> texts = new ArrayList<>();
    if (content instanceof JsonArray items) {
      for (Object i : items) {
        if (i instanceof JsonObject item && "text".equals(item.getValue("type"))) {
          texts.add(item.getString("text", ""));
        }
      }
    }
    return String.join("\n", texts);
  }

  @Override
  public MockRequest prompt() {
    return prompt;
  }

  @Override
  public Buffer error(int status, String message, String type, String param) {
    return MessagesWire.error(type, message);
  }

  /** Chat's renderer checks, with {@code max_tokens} named as chat names it. */
  @Override
  public Plan admit(long id, int promptTokens) throws Refused {
    MockRequest.Invalid refusal = RendererLimits.check(config.shape().maxModelLen(), prompt.maxTokens(),
        prompt.maxTokensParam(), prompt.textChars(), promptTokens, counter.maxCharsPerToken());
    if (refusal != null) {
      throw new Refused(400, MessagesWire.error("BadRequestError", refusal.vllmMessage()));
    }
    return new Plan(prompt.maxTokens(), new Reply(id, Wire.jsonString(config.model()), promptTokens,
        prompt.maxTokens()));
  }

  /** One message's bytes: the output always runs to max_tokens, so the stop reason is "max_tokens". */
  private record Reply(long id, byte[] model, int promptTokens, int outputTokens) implements Endpoint.Answer {

    private static final String STOP = MessagesWire.stopReason("length");

    @Override
    public Buffer head() {
      return Buffer.buffer();
    }

    @Override
    public Buffer token(int index, boolean last) {
      return index == 0 ? MessagesWire.first(id, model, promptTokens)
          : MessagesWire.appendDelta(Buffer.buffer(128), index);
    }

    @Override
    public Buffer tail(RequestTimes times) {
      return MessagesWire.close(STOP, promptTokens, outputTokens);
    }

    @Override
    public Buffer body(RequestTimes times) {
      return MessagesWire.message(id, model, STOP, promptTokens, outputTokens);
    }
  }
}
