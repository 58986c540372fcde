package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --api}: every API driven over real HTTP against a server on port 0 that answers in vLLM's literal shapes
 * ({@link VllmShapes}) and refuses, with a 422 naming the field, any request laid out wrongly for its endpoint. Of
 * the arrivals, every 5th is refused in the API's error shape, and of a stream's, every 7th fails after its first
 * token with an error event and every 11th is cut before its end event: the counts of requests, text events, usage
 * tokens and errors follow.
 */
class ApiRunTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final int REQUESTS = 40;

  @RegisterExtension
  final TestServers servers = new TestServers();

  /** What one answer of an API carries, as {@link VllmShapes} lays it out. */
  private record Answer(String stream, String body, int textEvents, int input, int output) {
  }

  private static Answer answer(Api api) {
    return switch (api) {
      case CHAT -> new Answer(VllmShapes.CHAT_STREAM, VllmShapes.CHAT_BODY, 3, 31, 2);
      case COMPLETIONS -> new Answer(VllmShapes.COMPLETIONS_STREAM, null, 2, 24, 2);
      case RESPONSES -> new Answer(VllmShapes.RESPONSES_STREAM, VllmShapes.RESPONSES_BODY, 2, 29, 2);
      case MESSAGES -> new Answer(VllmShapes.MESSAGES_STREAM, VllmShapes.MESSAGES_BODY, 3, 27, 3);
      case EMBEDDINGS -> new Answer(null, VllmShapes.EMBEDDINGS_BODY, 0, 12, 0);
    };
  }

  /** Why a body is wrong for its endpoint, or null. */
  private static String misfit(Api api, HttpServerRequest req, JsonObject body, boolean stream) {
    if (!req.path().equals(api.path())) {
      return "path " + req.path();
    }
    if (api.generates() && body.getBoolean("stream") != stream || !api.generates() && body.containsKey("stream")) {
      return "stream";
    }
    return switch (api) {
      case CHAT -> body.getJsonArray("messages") == null || body.getInteger("max_tokens") == null ? "messages" : null;
      case COMPLETIONS -> body.getString("prompt") == null || body.getInteger("max_tokens") == null ? "prompt" : null;
      case RESPONSES -> body.getJsonArray("input") == null || body.getInteger("max_output_tokens") == null
          || body.containsKey("max_tokens") ? "input" : null;
      case MESSAGES -> !"2023-06-01".equals(req.getHeader("anthropic-version")) ? "anthropic-version"
          : body.getJsonArray("messages") == null || body.getInteger("max_tokens") == null ? "max_tokens" : null;
      case EMBEDDINGS -> body.getString("input") == null || body.containsKey("max_tokens") ? "input" : null;
    };
  }

  private int server(Api api, boolean stream) {
    Answer a = answer(api);
    AtomicInteger arrivals = new AtomicInteger();
    return servers.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      int n = arrivals.getAndIncrement();
      String misfit = misfit(api, req, b.toJsonObject(), stream);
      if (misfit != null) {
        req.response().setStatusCode(422).end("{\"detail\":\"" + misfit + "\"}");
      } else if (n % 5 == 4) {
        req.response().setStatusCode(400).putHeader("content-type", "application/json")
            .end(api == Api.MESSAGES ? VllmShapes.ANTHROPIC_ERROR : VllmShapes.OPENAI_ERROR);
      } else if (!stream) {
        req.response().putHeader("content-type", "application/json").end(a.body());
      } else {
        String text = n % 7 == 6 ? failedAfterFirstToken(api, a.stream()) : n % 11 == 10 ? cut(api, a.stream())
            : a.stream();
        // one write per event, as a server streams them
        req.response().setChunked(true).putHeader("content-type", "text/event-stream");
        for (String event : text.split("(?<=\n\n)")) {
          req.response().write(event);
        }
        req.response().end();
      }
    })).listen(0).await().actualPort();
  }

  /** The stream up to its first text event, then the API's error event. */
  private static String failedAfterFirstToken(Api api, String stream) {
    String first = switch (api) {
      case RESPONSES -> "event: response.output_text.delta";
      case MESSAGES -> "event: content_block_delta";
      default -> "data: ";
    };
    int afterFirst = stream.indexOf("\n\n", stream.indexOf(first)) + 2;
    return stream.substring(0, afterFirst) + switch (api) {
      case RESPONSES -> "event: error\ndata: {\"code\":\"server_error\",\"message\":\"Internal server error\","
          + "\"param\":null,\"sequence_number\":5,\"type\":\"error\"}\n\n";
      case MESSAGES -> "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"internal_error\",\"message\":"
          + "\"Internal server error\"}}\n\n";
      default -> "data: {\"error\": {\"message\": \"Internal server error\", \"type\": \"InternalServerError\", "
          + "\"param\": null, \"code\": 500}}\n\ndata: [DONE]\n\n";
    };
  }

  /** The stream without its end event. */
  private static String cut(Api api, String stream) {
    String end = switch (api) {
      case RESPONSES -> "event: response.completed";
      case MESSAGES -> "event: message_stop";
      default -> "data: [DONE]";
    };
    return stream.substring(0, stream.indexOf(end));
  }

  private static Buffer[] bodies(Api api, boolean stream) {
    Buffer[] bodies = new Buffer[4];
    for (int i = 0; i < bodies.length; i++) {
      byte[] prompt = ("prompt " + i + " \"quoted\"").getBytes(StandardCharsets.UTF_8);
      bodies[i] = Buffer.buffer(RequestBody.encode(api, "m", prompt, api.generates() ? 8 : 0, stream));
    }
    return bodies;
  }

  @ParameterizedTest(name = "{0}, stream {1}")
  @CsvSource({"chat,true", "chat,false", "completions,true", "responses,true", "responses,false", "messages,true",
      "messages,false", "embeddings,false"})
  void eachApiIsSentItsBodiesAndReadInItsShapes(String name, boolean stream) throws Exception {
    Api api = Api.parse(name);
    Answer a = answer(api);
    int port = server(api, stream);
    LoadSpec spec = LoadSpec.openLoop("127.0.0.1", port, api.path(), stream, 4096, 8, 2, 0, 0, 10_000)
        .withApi(api).withRecords(true);
    ArrivalPlan plan = ArrivalPlan.constant(REQUESTS, SECOND, 4);
    Bodies bodies = new Bodies(bodies(api, stream), new int[] {5, 5, 5, 5}, new int[] {8, 8, 8, 8});
    LoadRun run = new LoadRun(servers.client(), spec, plan, bodies, RunLayout.single(1, REQUESTS, 0, 2), null);
    RunResult r = run.runGroups().get(0);

    int refused = 0;
    int failed = 0;
    int cut = 0;
    for (int n = 0; n < REQUESTS; n++) {
      if (n % 5 == 4) {
        refused++;
      } else if (stream && n % 7 == 6) {
        failed++;
      } else if (stream && n % 11 == 10) {
        cut++;
      }
    }
    long ok = REQUESTS - refused - failed - cut;
    assertThat(r.sent()).isEqualTo(REQUESTS);
    assertThat(r.completed()).isEqualTo(ok);
    Map<String, Long> kinds = new java.util.TreeMap<>(Map.of("400", (long) refused));
    if (failed > 0) {
      kinds.put(LoadVerticle.STREAM_ERROR, (long) failed);
    }
    if (cut > 0) {
      kinds.put(LoadVerticle.TRUNCATED, (long) cut);
    }
    assertThat(r.errorsByKind()).as("no request was laid out wrongly (422)").isEqualTo(kinds);
    Map<String, Long> types = new java.util.TreeMap<>(Map.of("BadRequestError", (long) refused));
    if (failed > 0) {
      types.put(switch (api) {
        case RESPONSES -> "server_error";
        case MESSAGES -> "internal_error";
        default -> "InternalServerError";
      }, (long) failed);
    }
    assertThat(r.errorsByType()).isEqualTo(types);
    RunResult.Group g = r.overall();
    assertThat(g.usage()).isEqualTo(new RunResult.Usage(ok, ok * a.input(), ok * a.output()));
    assertThat(g.tokens()).as("text events").isEqualTo(stream ? ok * a.textEvents() : 0);
    assertThat(g.ttft().getTotalCount()).isEqualTo(ok);
    // gaps are recorded as they arrive: a cut stream's too; a failed one had a single text event
    assertThat(g.itl().getTotalCount()).isEqualTo(stream ? (ok + cut) * (a.textEvents() - 1) : 0);

    JsonObject report = Report.json(r, new JsonObject().put("target", "t").put("api", api.id()));
    assertThat(report.getJsonObject("usage").getLong("outputTokens")).isEqualTo(ok * a.output());
    assertThat(Report.text(report)).contains("api " + api.id()).contains("errors by type");
    JsonObject vllm = VllmResult.json(r, new JsonObject().put("api", api.id()).put("stream", stream),
        java.time.LocalDateTime.now());
    assertThat(vllm.getString("backend")).isEqualTo(api.backend());
    assertThat(vllm.getLong("total_input_tokens")).as("the servers' usage, as vLLM takes it").isEqualTo(ok * a.input());
    assertThat(vllm.getLong("total_output_tokens")).isEqualTo(ok * a.output());

    StringBuilder csv = new StringBuilder();
    run.writeRecords(csv, "run");
    List<String> outcomes = new ArrayList<>();
    for (String row : csv.toString().lines().toList()) {
      String[] c = row.split(",", -1);
      outcomes.add(c[11]);
      if (c[11].equals("ok")) {
        assertThat(c[17] + "/" + c[18]).as("usage columns").isEqualTo(a.input() + "/"
            + (api.generates() ? Integer.toString(a.output()) : ""));
      }
    }
    assertThat(outcomes).filteredOn("ok"::equals).hasSize((int) ok);
    assertThat(outcomes).filteredOn("http"::equals).hasSize(refused);
    assertThat(outcomes).filteredOn(LoadVerticle.STREAM_ERROR::equals).hasSize(failed);
    assertThat(outcomes).filteredOn(LoadVerticle.TRUNCATED::equals).hasSize(cut);
  }
}
