package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.mock.PromptCounter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every routed API end to end, through a node in front of two mock vLLM pools (short 8,192 tokens, long 65,536,
 * cl100k counts): streams reach the client byte for byte as the pool sent them, each API's usage feeds the
 * calibration, an under-estimated request of each API is retried on the long pool before the client sees the
 * pool's refusal, and a request no pool holds gets the long pool's own error in its API's shape.
 */
class ApiSurfaceEndToEndTest {
  private static final Pattern UNDER = Pattern.compile("(?m)^sluice_misroutes_total\\{kind=\"under\",?\\} (\\S+)$");
  private static final String PROMPT = "Tell me a story about a river and the town that grew beside it.";

  private final Rig rig = new Rig();

  @AfterEach
  void close() {
    rig.close();
  }

  /** A pass-through proxy that keeps the bytes of every answer it forwards, as the pool sent them. */
  private static final class Tee {
    final List<Buffer> answers = new CopyOnWriteArrayList<>();
    int port;
  }

  private Tee tee(int targetPort) {
    Tee tee = new Tee();
    var client = rig.vertx.createHttpClient();
    tee.port = rig.vertx.createHttpServer().requestHandler(req -> req.body().compose(body -> client.request(
            new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(targetPort).setURI(req.uri()))
        .compose(up -> {
          up.headers().addAll(req.headers());
          return up.send(body);
        })
        .compose(resp -> {
          req.response().setStatusCode(resp.statusCode()).setChunked(true);
          resp.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")) {
              req.response().putHeader(k, v);
            }
          });
          Buffer seen = Buffer.buffer();
          resp.handler(chunk -> {
            seen.appendBuffer(chunk);
            req.response().write(chunk);
          });
          resp.endHandler(v -> {
            if (req.method() == HttpMethod.POST) {
              tee.answers.add(seen);
            }
            req.response().end();
          });
          return io.vertx.core.Future.succeededFuture();
        })).onFailure(err -> req.response().reset()))
        .listen(0, "127.0.0.1").await().actualPort();
    return tee;
  }

  private record Setup(int sluice, Tee shortPool) {
  }

  private Setup start() {
    Tee shortPool = tee(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K));
    int sluice = rig.sluice(shortPool.port, rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K));
    return new Setup(sluice, shortPool);
  }

  private static JsonObject responses(String text, int maxOutput, boolean stream) {
    return new JsonObject().put("model", Rig.MODEL).put("instructions", "Answer in one line.")
        .put("input", new JsonArray().add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", text)))))
        .put("max_output_tokens", maxOutput).put("stream", stream);
  }

  private static JsonObject messages(String text, int maxTokens, boolean stream) {
    return new JsonObject().put("model", Rig.MODEL).put("max_tokens", maxTokens).put("system", "Answer in one line.")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)))
        .put("stream", stream);
  }

  private static JsonObject embeddings(String... texts) {
    return new JsonObject().put("model", Rig.MODEL).put("input", new JsonArray(List.of((Object[]) texts)));
  }

  // ---- streams and answers as the pool sent them -------------------------------------------------------------

  @Test
  void aResponsesStreamReachesTheClientByteForByte() {
    Setup s = start();
    Rig.Reply r = rig.post(s.sluice(), "/v1/responses", responses(PROMPT, 12, true));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("x-sluice-pool")).isEqualTo("short");
    assertThat(r.header("content-type")).startsWith("text/event-stream");
    assertThat(r.text()).startsWith("event: response.created\n").contains("event: response.output_text.delta\n")
        .contains("event: response.completed\n").doesNotContain("[DONE]");
    assertThat(r.body()).isEqualTo(s.shortPool().answers.get(0));
  }

  @Test
  void aMessagesStreamReachesTheClientByteForByte() {
    Setup s = start();
    Rig.Reply r = rig.post(s.sluice(), "/v1/messages", messages(PROMPT, 12, true));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).startsWith("event: message_start\n").contains("event: content_block_delta\n")
        .contains("event: message_delta\n").endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    assertThat(r.body()).isEqualTo(s.shortPool().answers.get(0));
  }

  @Test
  void plainAnswersOfEachApiAreThePoolsOwn() {
    Setup s = start();
    List<Rig.Reply> replies = List.of(
        rig.post(s.sluice(), "/v1/responses", responses(PROMPT, 12, false)),
        rig.post(s.sluice(), "/v1/messages", messages(PROMPT, 12, false)),
        rig.post(s.sluice(), "/v1/embeddings", embeddings(PROMPT, "a second input")),
        rig.post(s.sluice(), "/tokenize", new JsonObject().put("model", Rig.MODEL).put("prompt", PROMPT)),
        rig.post(s.sluice(), "/detokenize", new JsonObject().put("model", Rig.MODEL)
            .put("tokens", new JsonArray(List.of(791, 4062, 14198)))));
    for (int i = 0; i < replies.size(); i++) {
      Rig.Reply r = replies.get(i);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.header("x-sluice-pool")).isEqualTo("short");
      assertThat(r.body()).isEqualTo(s.shortPool().answers.get(i));
    }
    assertThat(replies.get(0).json().getJsonObject("usage").getInteger("input_tokens")).isPositive();
    assertThat(replies.get(1).json().getJsonObject("usage").getInteger("input_tokens")).isPositive();
    assertThat(replies.get(2).json().getJsonArray("data")).hasSize(2);
    assertThat(replies.get(3).json().getInteger("count")).isPositive();
    assertThat(replies.get(4).json().getString("prompt")).isEqualTo("The quick brown");
  }

  // ---- calibration -------------------------------------------------------------------------------------------

  private long samples() {
    JsonArray entries = rig.get(rig.management(), "/admin/calibration").json().getJsonArray("entries");
    long total = 0;
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.getJsonObject(i);
      if (Rig.MODEL.equals(e.getString("model"))) {
        total += e.getLong("samples", 0L);
      }
    }
    return total;
  }

  @Test
  void eachApisUsageIsACalibrationSample() throws Exception {
    Setup s = start();
    List<JsonObject> bodies = List.of(responses(PROMPT, 8, true), responses(PROMPT + " Again.", 8, false),
        messages(PROMPT, 8, true), messages(PROMPT + " Again.", 8, false), embeddings(PROMPT));
    List<String> paths = List.of("/v1/responses", "/v1/responses", "/v1/messages", "/v1/messages", "/v1/embeddings");
    for (int i = 0; i < bodies.size(); i++) {
      long before = samples();
      assertThat(rig.post(s.sluice(), paths.get(i), bodies.get(i)).status()).isEqualTo(200);
      Rig.eventually(() -> samples() == before + 1, "one sample from " + paths.get(i) + " " + bodies.get(i)
          .getBoolean("stream", false));
    }
    // the tokenizer endpoints' answers carry no usage: nothing to learn from
    long before = samples();
    rig.post(s.sluice(), "/tokenize", new JsonObject().put("model", Rig.MODEL).put("prompt", PROMPT));
    Thread.sleep(200);
    assertThat(samples()).isEqualTo(before);
  }

  // ---- misroutes and context errors ----------------------------------------------------------------------------

  /** Single digits between spaces: one byte per cl100k token, far below any prior's ratio. */
  private static String digits(int tokens) {
    StringBuilder b = new StringBuilder(tokens);
    for (int i = 0; i < tokens / 2; i++) {
      b.append((char) ('0' + i % 10)).append(' ');
    }
    return b.toString();
  }

  private double underMisroutes() {
    Matcher m = UNDER.matcher(rig.get(rig.management(), "/metrics").text());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The ratios alone, no exact count: the retry is what catches the digits. */
  private int misrouting() {
    return rig.sluice(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K),
        rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K),
        Map.of("SLUICE_ESTIMATOR_MODEL", "ratios", "SLUICE_ESTIMATOR_EXACT_COUNT", "false"));
  }

  @Test
  void anUnderEstimatedRequestOfEachApiIsServedByTheLongPool() {
    int sluice = misrouting();
    String text = digits(12_000);
    List<Rig.Reply> replies = List.of(
        rig.post(sluice, "/v1/responses", responses(text, 16, false)),
        rig.post(sluice, "/v1/responses", responses(text, 16, true)),
        rig.post(sluice, "/v1/messages", messages(text, 16, false)),
        rig.post(sluice, "/v1/messages", messages(text, 16, true)),
        rig.post(sluice, "/v1/embeddings", embeddings(text)));
    for (Rig.Reply r : replies) {
      assertThat(Integer.parseInt(r.header("x-sluice-budget"))).isLessThanOrEqualTo(Rig.SHORT_CONTEXT);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.header("x-sluice-pool")).isEqualTo("long");
    }
    assertThat(replies.get(0).json().getJsonObject("usage").getInteger("input_tokens")).isGreaterThan(Rig.SHORT_CONTEXT);
    assertThat(replies.get(4).json().getJsonObject("usage").getInteger("prompt_tokens")).isGreaterThan(Rig.SHORT_CONTEXT);
    assertThat(underMisroutes()).isEqualTo(5.0);
  }

  @Test
  void aPromptNoPoolHoldsGetsTheLongPoolsErrorInItsApisShape() {
    int sluice = misrouting();
    String text = digits(2 * (Rig.LONG_CONTEXT + 1000));
    Rig.Reply messages = rig.post(sluice, "/v1/messages", messages(text, 16, false));
    assertThat(messages.status()).isEqualTo(400);
    assertThat(messages.header("x-sluice-pool")).isEqualTo("long");
    JsonObject anthropic = messages.json();
    assertThat(anthropic.getString("type")).isEqualTo("error");
    assertThat(anthropic.getJsonObject("error").getString("message")).contains("maximum context length is 65536");
    Rig.Reply responses = rig.post(sluice, "/v1/responses", responses(text, 16, false));
    assertThat(responses.status()).isEqualTo(400);
    assertThat(responses.header("x-sluice-pool")).isEqualTo("long");
    assertThat(responses.json().getJsonObject("error").getString("param")).isEqualTo("input_tokens");
  }
}
