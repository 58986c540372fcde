package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.Faults;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ./sluice loadgen --api ...} end to end against the mock vLLM, which serves every API the way vLLM does: the
 * command line parsed, bodies encoded, a schedule sent over HTTP and the report read back. The prompts are ten
 * MT-Bench questions, two of them repeated past the mock's 2,048-token context, which every API refuses with a 400
 * in its own error shape; the others are answered with exactly their {@code max_tokens} of 6, and their usage.
 */
class ApiMockTest {

  private static final int MAX_MODEL_LEN = 2048;
  private static final int OUTPUT = 6;
  private static final int ENTRIES = 10;
  private static final int LONG = 2;
  private static final int REQUESTS = 40;

  @TempDir
  Path dir;
  @RegisterExtension
  final TestServers servers = new TestServers();

  private MockConfig config(Faults faults) {
    PoolShape shape = new PoolShape("apis", MAX_MODEL_LEN, 16, 4096, 2048, 16);
    return MockConfig.of(shape, CostModel.INSTANT, PromptCounter.Mode.CL100K).withFaults(faults);
  }

  private String mock(MockConfig config) {
    MockVllm mock = new MockVllm(config);
    servers.vertx().deployVerticle(mock).await();
    return "http://127.0.0.1:" + mock.actualPort();
  }

  /** Ten MT-Bench questions as a jsonl dataset; the last two repeated until they are longer than the context. */
  private Path dataset() throws Exception {
    List<String> lines = Files.readAllLines(TestData.shared().resolve("data/prompts/mt_bench_question.jsonl"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ENTRIES; i++) {
      String question = new JsonObject(lines.get(i)).getJsonArray("turns").getString(0);
      String prompt = i < ENTRIES - LONG ? question : (question + "\n").repeat(MAX_MODEL_LEN / 8);
      out.add(new JsonObject().put("prompt", prompt).put("max_tokens", OUTPUT).encode());
    }
    Path file = dir.resolve("prompts.jsonl");
    Files.write(file, out);
    return file;
  }

  private JsonObject run(String target, String model, String api, boolean stream) throws Exception {
    List<String> args = new ArrayList<>(List.of("--target", target, "--api", api, "--model", model, "--dataset",
        dataset().toString(), "--dataset-format", "jsonl", "--bodies", Integer.toString(ENTRIES), "--rate",
        Integer.toString(REQUESTS), "--duration", "1s", "--verticles", "2", "--tokenizer", "cl100k",
        "--no-progress"));
    if (stream) {
      args.add("--stream");
    }
    return Loadgen.run(Loadgen.parse(args.toArray(String[]::new)));
  }

  @ParameterizedTest(name = "{0}, stream {1}")
  @CsvSource({"chat,true", "chat,false", "completions,true", "responses,true", "responses,false", "messages,true",
      "messages,false", "embeddings,false"})
  void everyApiIsAnsweredRefusedAndCountedInItsOwnShapes(String name, boolean stream) throws Exception {
    MockConfig config = config(Faults.NONE);
    Api api = Api.parse(name);
    JsonObject report = run(mock(config), config.model(), name, stream);

    long refused = (long) REQUESTS * LONG / ENTRIES;
    long ok = REQUESTS - refused;
    assertThat(report.getJsonObject("config").getString("api")).isEqualTo(name);
    assertThat(report.getLong("sent")).isEqualTo(REQUESTS);
    assertThat(report.getLong("completed")).isEqualTo(ok);
    assertThat(report.getJsonObject("errorsByKind").getMap()).isEqualTo(java.util.Map.of("400", refused));
    assertThat(report.getJsonObject("errorsByType").getMap()).isEqualTo(java.util.Map.of("BadRequestError", refused));
    JsonObject usage = report.getJsonObject("usage");
    assertThat(usage.getLong("answers")).isEqualTo(ok);
    assertThat(usage.getLong("outputTokens")).isEqualTo(api.generates() ? ok * OUTPUT : 0);
    // the server's count: the text (as the bodies were sized, in the same vocabulary) and, but for embeddings, the
    // chat template around it
    assertThat(usage.getLong("inputTokens")).isGreaterThanOrEqualTo(report.getLong("inputTokens"));
    assertThat(report.getLong("outputEvents")).as("text events").isEqualTo(stream ? ok * (OUTPUT + api.roleEvents())
        : 0);
    assertThat(report.getJsonObject("ttftMs").getLong("count")).isEqualTo(ok);
  }

  /**
   * Every stream fails after it started: the mock's generation error event, counted as a stream error. The mock
   * injects faults into chat and completions only; the other APIs' error events are read in {@link ApiRunTest}.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"chat", "completions"})
  void aStreamThatFailsAfterItStartedIsAStreamError(String name) throws Exception {
    MockConfig config = config(new Faults(0, 0, 0, 0, 0, 0, 1.0, 0, 1));
    JsonObject report = run(mock(config), config.model(), name, true);

    long refused = (long) REQUESTS * LONG / ENTRIES;
    assertThat(report.getLong("completed")).isZero();
    assertThat(report.getJsonObject("errorsByKind").getMap())
        .isEqualTo(java.util.Map.of("400", refused, "stream-error", REQUESTS - refused));
    assertThat(report.getJsonObject("errorsByType").getLong("BadRequestError")).isEqualTo(refused);
    assertThat(report.getJsonObject("errorsByType").fieldNames()).hasSize(2);
  }

  /**
   * Conversations against the mock: every turn of every API that converses is answered, and each carries the turns
   * before it, so the prompt the mock counted grows from turn to turn and the later turns find it cached.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"chat", "completions", "responses", "messages"})
  void conversationsOfEveryApiCarryTheirHistory(String name) throws Exception {
    MockConfig config = config(Faults.NONE);
    String target = mock(config);
    Conversations.Result r = Conversations.run(servers.vertx(), Conversations.parse(new String[] {"--sessions", "2",
        "--turns", "3", "--think-time", "0s", "--prompt-tokens", "60", "--max-tokens", "12", "--api", name,
        "--model", config.model(), "--target", target, "--corpus", TestData.corpus().toString()}));
    List<Conversations.TurnStats> turns = r.turns();
    assertThat(new long[] {r.all().answered(), r.all().failed()}).containsExactly(6, 0);
    for (int k = 1; k < 3; k++) {
      // the answer (12 tokens) and a new message of at least 60 tokens more than the turn before
      assertThat(turns.get(k).meanPromptTokens() - turns.get(k - 1).meanPromptTokens()).as("turn %d", k + 1)
          .isGreaterThan(60 + 12);
    }
    assertThat(r.hits()).as("later turns find their history cached").isPositive();
  }
}
