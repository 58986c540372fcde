package dev.sluice.mock;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * vLLM's {@code POST /v1/embeddings} ({@code vllm/frontend/entrypoints/pooling/embed/serving.py},
 * {@code protocol.py}, {@code pooling/base/protocol.py}). {@code input} is a string, a list of strings, a list of
 * token ids or a list of such lists; each text is tokenized with the tokenizer's special tokens unless
 * {@code add_special_tokens} is false (Llama 3's BOS: one token), token ids are counted as they are, and each input
 * is checked alone against max_model_len with no output tokens (the renderer's refusal, OpenAI shape).
 *
 * <p>The mock answers at once, without an engine step: pooling has no decode, and a router cares about the
 * counts and the shape. Each embedding is {@link MockDefaults#EMBEDDING_DIMENSIONS} floats of unit length drawn
 * from the input's token ids, so the same input always embeds the same.
 */
final class Embeddings {

  /** One input: its token count, its characters (-1 for token ids), and the seed of its vector. */
  private record Input(int tokens, long chars, long seed) {
  }

  /** What is sent: the status and the body. */
  private record Outcome(int status, Buffer body) {
  }

  private Embeddings() {
  }

  static void handle(HttpServerRequest req, MockConfig config, PromptCounter counter, Vertx vertx) {
    req.body().onSuccess(body -> {
      JsonObject json;
      try {
        json = ResponsesApi.object(body.getBytes());
        check(json, config);
      } catch (Endpoint.Refused r) {
        send(req, r.status, r.body);
        return;
      }
      long chars = 0;
      for (Object text : items(json.getValue("input"))) {
        chars += text instanceof String s ? s.length() : 0;
      }
      if (counter.isExpensive(chars)) {
        vertx.executeBlocking(() -> answer(json, config, counter))
            .onSuccess(out -> send(req, out.status, out.body))
            .onFailure(err -> send(req, 500, Wire.error(err.toString(), "InternalServerError", null, 500)));
      } else {
        Outcome out = answer(json, config, counter);
        send(req, out.status, out.body);
      }
    });
  }

  /** The request model's required input, then the model name. */
  private static void check(JsonObject json, MockConfig config) throws Endpoint.Refused {
    Object input = json.getValue("input");
    if (input == null) {
      throw new Endpoint.Refused(400, ValidationErrors.body(List.of(ValidationErrors.Problem.missing("input", json))));
    }
    if (!(input instanceof String) && !(input instanceof JsonArray)) {
      throw new Endpoint.Refused(400, ValidationErrors.body(List.of(new ValidationErrors.Problem("list_type", "input",
          "Input should be a valid list", input, null))));
    }
    if (json.getValue("model") instanceof String name && !config.serves(name)) {
      throw new Endpoint.Refused(404, Wire.error("The model `" + name + "` does not exist.", "NotFoundError", "model",
          404));
    }
  }

  /** The inputs: a string alone, or the list's items (strings or id lists; a flat id list is one input). */
  private static List<Object> items(Object input) {
    if (input instanceof String s) {
      return List.of(s);
    }
    JsonArray array = (JsonArray) input;
    if (!array.isEmpty() && array.getValue(0) instanceof Number) {
      return List.of(array);
    }
    return new ArrayList<>(array.getList());
  }

  /** The embeddings, or the refusal of the first input that does not fit. */
  private static Outcome answer(JsonObject json, MockConfig config, PromptCounter counter) {
    boolean special = !Boolean.FALSE.equals(json.getValue("add_special_tokens"));
    int total = config.shape().maxModelLen();
    List<float[]> vectors = new ArrayList<>();
    long prompt = 0;
    for (Object item : items(json.getValue("input"))) {
      Input in = count(item, special, counter);
      MockRequest.Invalid refusal = RendererLimits.check(total, 0, "max_model_len - max_embed_len", in.chars(),
          in.tokens(), counter.maxCharsPerToken());
      if (refusal != null) {
        return new Outcome(400, Wire.error(refusal.vllmMessage(), "BadRequestError", refusal.param, 400));
      }
      prompt += in.tokens();
      vectors.add(vector(in.seed()));
    }
    String id = UUID.randomUUID().toString().replace("-", "");
    boolean base64 = "base64".equals(json.getValue("encoding_format"));
    return new Outcome(200, EmbeddingsWire.body(id, System.currentTimeMillis() / 1000,
        Wire.jsonString(config.model()), vectors, base64, prompt));
  }

  private static Input count(Object item, boolean special, PromptCounter counter) {
    if (item instanceof String text) {
      int tokens = special ? counter.completionPromptTokens(List.of(text)) : counter.textTokens(List.of(text));
      return new Input(tokens, text.length(), text.hashCode());
    }
    if (item instanceof List<?> || item instanceof JsonArray) {
      List<?> ids = item instanceof JsonArray a ? a.getList() : (List<?>) item;
      long[] values = new long[ids.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = ids.get(i) instanceof Number n ? n.longValue() : 0;
      }
      return new Input(values.length, -1, Arrays.hashCode(values));
    }
    return new Input(0, 0, 0);
  }

  /** Unit-length floats drawn from a seed. */
  private static float[] vector(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[MockDefaults.EMBEDDING_DIMENSIONS];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      double x = random.nextDouble(-1, 1);
      v[i] = (float) x;
      norm += x * x;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return v;
  }

  private static void send(HttpServerRequest req, int status, Buffer body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }
}
