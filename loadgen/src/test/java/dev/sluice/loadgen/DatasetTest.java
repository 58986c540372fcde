package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The three dataset formats on small files written for these tests, and on the real MT-Bench questions. */
class DatasetTest {

  private static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  static Path resource(String name) {
    try {
      return Path.of(DatasetTest.class.getResource("/datasets/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shareGptTakesTheFirstTurnAsPromptAndTheSecondAsReply() throws Exception {
    Dataset d = Dataset.read(resource("sharegpt-small.json"), Dataset.Format.SHAREGPT);
    assertThat(d.entries()).hasSize(3);
    assertThat(d.skipped()).isEqualTo(2);
    Dataset.Entry second = d.entries().get(1);
    assertThat(second.messages()).containsExactly(
        new Dataset.Message("user", "Say \"hello\" in Japanese,\nthen explain the greeting."));
    assertThat(second.reply()).isEqualTo("こんにちは (konnichiwa) is the everyday daytime greeting.");
    assertThat(second.maxTokens()).isNull();
  }

  @Test
  void jsonlTakesPromptsOrMessagesAndTheirMaxTokens() throws Exception {
    Dataset d = Dataset.read(resource("prompts-small.jsonl"), Dataset.Format.JSONL);
    assertThat(d.entries()).hasSize(4);
    assertThat(d.skipped()).as("the blank prompt").isEqualTo(1);
    assertThat(d.entries().get(0).maxTokens()).isEqualTo(40);
    assertThat(d.entries().get(1).maxTokens()).isNull();
    assertThat(d.entries().get(2).messages()).containsExactly(new Dataset.Message("system", "You answer tersely."),
        new Dataset.Message("user", "What is TTFT?"));
    assertThat(d.entries().get(2).maxTokens()).isEqualTo(12);
  }

  @Test
  void mtBenchTakesTheFirstTurn() throws Exception {
    Dataset d = Dataset.read(resource("mtbench-small.jsonl"), Dataset.Format.MTBENCH);
    assertThat(d.entries()).extracting(e -> e.messages().get(0).content()).containsExactly(
        "Draft a two-line status update about a load test that met its SLO.", "What is 17 times 23?",
        "Write a Java method that reverses a string.");
    assertThat(d.skipped()).isEqualTo(1);
  }

  @Test
  void readsTheRealMtBenchQuestions() throws Exception {
    Dataset d = Dataset.read(TestData.shared().resolve("data/prompts/mt_bench_question.jsonl"),
        Dataset.Format.MTBENCH);
    assertThat(d.entries()).hasSize(80);
    assertThat(d.skipped()).isZero();
  }

  @Test
  void aMalformedLineIsReportedWithItsNumber() {
    assertThatThrownBy(() -> Dataset.read(resource("broken.jsonl"), Dataset.Format.JSONL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
  }

  @Test
  void theWrongFormatFailsClearly() {
    assertThatThrownBy(() -> Dataset.read(resource("sharegpt-small.json"), Dataset.Format.MTBENCH))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no usable entry");
  }

  @Test
  void samplingIsFixedByTheSeedAndDrawsWithoutReplacement() throws Exception {
    Dataset d = Dataset.read(TestData.shared().resolve("data/prompts/mt_bench_question.jsonl"),
        Dataset.Format.MTBENCH);
    List<Dataset.Entry> a = d.sample(30, 7);
    assertThat(d.sample(30, 7)).isEqualTo(a);
    assertThat(d.sample(30, 8)).isNotEqualTo(a);
    assertThat(new HashSet<>(a)).hasSize(30);
    assertThat(d.sample(500, 7)).hasSize(80);
  }

  private static Loadgen.Options options(String... extra) {
    String[] base = {"--target", "http://127.0.0.1:9", "--rate", "10", "--duration", "1s", "--model", "m",
        "--tokenizer", "cl100k", "--corpus", TestData.corpus().toString()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return Loadgen.parse(all);
  }

  @Test
  void bodiesAreSizedInTrueTokensAndTakeTheDatasetsOutputLengths() throws Exception {
    Loadgen.Prepared p = Loadgen.prepare(options("--dataset", resource("sharegpt-small.json").toString(),
        "--dataset-format", "sharegpt", "--stream"));
    assertThat(p.bodies()).hasSize(3);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < p.bodies().length; i++) {
      JsonObject body = p.bodies()[i].toJsonObject();
      JsonArray messages = body.getJsonArray("messages");
      String prompt = messages.getJsonObject(0).getString("content");
      seen.add(prompt);
      assertThat(p.bodyPromptTokens()[i]).isEqualTo(CL100K.countTokensOrdinary(prompt));
      Dataset.Entry entry = Dataset.read(resource("sharegpt-small.json"), Dataset.Format.SHAREGPT).entries().stream()
          .filter(e -> e.messages().get(0).content().equals(prompt)).findFirst().orElseThrow();
      assertThat(body.getInteger("max_tokens")).isEqualTo(CL100K.countTokensOrdinary(entry.reply()))
          .isEqualTo(p.bodyMaxTokens()[i]);
      assertThat(body.getBoolean("stream")).isTrue();
    }
    assertThat(seen).contains("List three prime numbers.");
    assertThat(p.dataset().getInteger("skipped")).isEqualTo(2);
  }

  @Test
  void maxTokensGivenOnTheCommandLineOverridesTheDataset() throws Exception {
    Loadgen.Prepared p = Loadgen.prepare(options("--dataset", resource("prompts-small.jsonl").toString(),
        "--dataset-format", "jsonl", "--max-tokens", "5"));
    for (int i = 0; i < p.bodies().length; i++) {
      assertThat(p.bodies()[i].toJsonObject().getInteger("max_tokens")).isEqualTo(5);
    }
  }

  @Test
  void entriesWithoutAnOutputLengthTakeTheDefault() throws Exception {
    Loadgen.Prepared p = Loadgen.prepare(options("--dataset", resource("prompts-small.jsonl").toString(),
        "--dataset-format", "jsonl"));
    for (int i = 0; i < p.bodies().length; i++) {
      JsonObject body = p.bodies()[i].toJsonObject();
      String last = body.getJsonArray("messages").getJsonObject(body.getJsonArray("messages").size() - 1)
          .getString("content");
      int expected = switch (last) {
        case "Summarise the token-budget routing idea in one sentence." -> 40;
        case "What is TTFT?" -> 12;
        case "Translate \"good morning\" into French." -> 8;
        default -> Loadgen.DEFAULT_MAX_TOKENS;
      };
      assertThat(body.getInteger("max_tokens")).as(last).isEqualTo(expected);
    }
  }

  @Test
  void theScheduleCyclesThroughTheDrawnEntries() throws Exception {
    Loadgen.Prepared p = Loadgen.prepare(options("--dataset", resource("mtbench-small.jsonl").toString(),
        "--dataset-format", "mtbench"));
    assertThat(p.plan().size()).isEqualTo(10);
    assertThat(p.plan().template()).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0);
  }
}
