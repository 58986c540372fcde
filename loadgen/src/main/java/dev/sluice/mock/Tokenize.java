package dev.sluice.mock;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * vLLM's {@code POST /tokenize}: the chat form ({@code messages}, rendered through the chat template with the
 * generation prompt unless {@code add_generation_prompt} is false) or the completion form ({@code prompt},
 * with BOS unless {@code add_special_tokens} is false), answered {@code {"count":N,"max_model_len":M,
 * "tokens":[...],"token_strs":null}}. The count is the one the mock's completions report as
 * {@code usage.prompt_tokens} for the same messages; the token ids stand in for real ones (the count and the
 * size of the answer are what a client of this endpoint sees).
 */
final class Tokenize {
  /** Llama 3's {@code <|begin_of_text|>}: the first of the ids listed. */
  private static final int FIRST_ID = 128000;

  private Tokenize() {
  }

  static void handle(HttpServerRequest req, MockConfig config, PromptCounter counter, Vertx vertx) {
    req.body().onSuccess(body -> {
      JsonObject json;
      MockRequest parsed;
      boolean chat;
      try {
        json = body.toJsonObject();
        chat = json.containsKey("messages");
        parsed = MockRequest.parse(body.getBytes(), chat);
      } catch (MockRequest.Invalid e) {
        error(req, 400, e.getMessage(), "BadRequestError", e.param);
        return;
      } catch (RuntimeException e) {
        error(req, 400, "Invalid JSON body", "BadRequestError", null);
        return;
      }
      if (!config.serves(parsed.model())) {
        error(req, 404, "The model `" + parsed.model() + "` does not exist.", "NotFoundError", "model");
        return;
      }
      int template = chat
          ? (json.getBoolean("add_generation_prompt", true) ? 0 : -PromptCounter.GENERATION_PROMPT_TOKENS)
          : (json.getBoolean("add_special_tokens", true) ? 0 : -PromptCounter.BOS_TOKENS);
      if (counter.isExpensive(parsed.textChars())) {
        vertx.executeBlocking(() -> count(counter, parsed, chat) + template)
            .onSuccess(n -> answer(req, n, config))
            .onFailure(err -> error(req, 500, err.toString(), "InternalServerError", null));
      } else {
        answer(req, count(counter, parsed, chat) + template, config);
      }
    });
  }

  /**
   * vLLM's {@code POST /detokenize} ({@code vllm/frontend/entrypoints/serve/tokenize/serving.py}):
   * {@code {"model"?, "tokens":[ids]}} answered {@code {"prompt":"..."}}, the model checked as everywhere. The text is
   * {@link PromptCounter#decode}'s: real for ids of the BPE vocabulary (and Llama 3's chat-template tokens), empty
   * for ids the mock's vocabulary lacks. A negative id is refused as vLLM's request model refuses it.
   */
  static void detokenize(HttpServerRequest req, MockConfig config, PromptCounter counter) {
    req.body().onSuccess(body -> {
      JsonObject json;
      try {
        json = ResponsesApi.object(body.getBytes());
      } catch (Endpoint.Refused r) {
        req.response().setStatusCode(r.status).putHeader("content-type", "application/json").end(r.body);
        return;
      }
      Object tokens = json.getValue("tokens");
      if (!(tokens instanceof JsonArray list)) {
        req.response().setStatusCode(400).putHeader("content-type", "application/json")
            .end(ValidationErrors.body(List.of(ValidationErrors.Problem.missing("tokens", json))));
        return;
      }
      int[] ids = new int[list.size()];
      for (int i = 0; i < ids.length; i++) {
        Object v = list.getValue(i);
        if (!(v instanceof Number n) || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
          req.response().setStatusCode(400).putHeader("content-type", "application/json")
              .end(ValidationErrors.body(List.of(new ValidationErrors.Problem("greater_than_equal", "tokens",
                  "Input should be greater than or equal to 0", v, null))));
          return;
        }
        ids[i] = n.intValue();
      }
      if (json.getValue("model") instanceof String name && !config.serves(name)) {
        error(req, 404, "The model `" + name + "` does not exist.", "NotFoundError", "model");
        return;
      }
      req.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("prompt", counter.decode(ids)).toBuffer());
    });
  }

  private static int count(PromptCounter counter, MockRequest r, boolean chat) {
    return chat ? counter.chatPromptTokens(r.texts(), r.messages()) : counter.completionPromptTokens(r.texts());
  }

  private static void answer(HttpServerRequest req, int count, MockConfig config) {
    Buffer out = Buffer.buffer(32 + 8 * count).appendString("{\"count\":").appendString(Integer.toString(count))
        .appendString(",\"max_model_len\":").appendString(Integer.toString(config.shape().maxModelLen()))
        .appendString(",\"tokens\":[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out.appendByte((byte) ',');
      }
      out.appendString(Integer.toString(FIRST_ID + i));
    }
    req.response().putHeader("content-type", "application/json").end(out.appendString("],\"token_strs\":null}"));
  }

  private static void error(HttpServerRequest req, int status, String message, String type, String param) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(Wire.error(message, type, param, status));
  }
}
