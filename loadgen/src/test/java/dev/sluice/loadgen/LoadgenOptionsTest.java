package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadgenOptionsTest {

  @Test
  void parsesDurationsWithUnits() {
    assertThat(new long[] {Loadgen.parseDuration("500ms"), Loadgen.parseDuration("30s"), Loadgen.parseDuration("2m"),
        Loadgen.parseDuration("1.5")}).containsExactly(500_000_000L, 30_000_000_000L, 120_000_000_000L,
        1_500_000_000L);
  }

  @Test
  void parsesAMixWithWeights() {
    assertThat(Loadgen.parseMix("prose:3, code:1,cjk")).containsExactly(Map.entry("prose", 3.0),
        Map.entry("code", 1.0), Map.entry("cjk", 1.0));
  }

  @Test
  void defaultsThePathToChatCompletions() {
    Loadgen.Options o = Loadgen.parse(new String[] {"--target", "http://127.0.0.1:9000", "--rate", "10"});
    assertThat(o.spec().targets().get(0).path()).isEqualTo(LoadSpec.DEFAULT_PATH);
  }

  @Test
  void keepsAnExplicitPath() {
    Loadgen.Options o = Loadgen.parse(new String[] {"--target", "http://127.0.0.1:9000/v1/completions", "--rate", "1"});
    assertThat(o.spec().targets().get(0).path()).isEqualTo("/v1/completions");
  }

  @Test
  void refusesTimeScaleAndRateTogetherOnATrace() {
    assertThatThrownBy(() -> Loadgen.parse(new String[] {"--target", "http://h:1", "--trace", "t.csv",
        "--time-scale", "0.5", "--rate", "10"})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesUnknownOptions() {
    assertThatThrownBy(() -> Loadgen.parse(new String[] {"--target", "http://h:1", "--rate", "1", "--bogus", "x"}))
        .hasMessageContaining("--bogus");
  }

  @Test
  void needsARateATraceOrAClosedLoop() {
    assertThatThrownBy(() -> Loadgen.parse(new String[] {"--target", "http://h:1"}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void maxTokensFromTheTraceUnlessGiven() {
    Loadgen.Options o = Loadgen.parse(new String[] {"--target", "http://h:1", "--trace", "t.csv"});
    assertThat(o.maxTokensSet()).isFalse();
  }

  private static Loadgen.Options parse(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--target";
    all[1] = "http://h:1";
    System.arraycopy(args, 0, all, 2, args.length);
    return Loadgen.parse(all);
  }

  private static void refused(String message, String... args) {
    assertThatThrownBy(() -> parse(args)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void burstinessMeansGammaArrivals() {
    Loadgen.Options o = parse("--rate", "10", "--burstiness", "0.5");
    assertThat(o.arrival()).isEqualTo("gamma");
    assertThat(o.burstiness()).isEqualTo(0.5);
    assertThat(o.toJson().getDouble("burstiness")).isEqualTo(0.5);
    refused("--burstiness must be a number > 0", "--rate", "10", "--burstiness", "0");
    refused("--burstiness takes a number", "--rate", "10", "--burstiness", "lots");
    refused("takes no --arrival", "--rate", "10", "--burstiness", "2", "--arrival", "poisson");
  }

  @Test
  void maxConcurrencyIsAPositiveCapOnAnOpenLoop() {
    assertThat(parse("--rate", "10", "--max-concurrency", "8").spec().maxConcurrency()).isEqualTo(8);
    refused("--max-concurrency must be >= 1", "--rate", "10", "--max-concurrency", "0");
    refused("--max-concurrency takes a whole number", "--rate", "10", "--max-concurrency", "many");
    refused("cannot go with --closed", "--closed", "4", "--max-concurrency", "2");
  }

  @Test
  void stagesReplaceRateAndDuration() {
    assertThat(parse("--stages", "5:10s,10:10s").stages()).hasSize(2);
    refused("--stages takes RATE:DURATION", "--stages", "5:ten");
    refused("--stages takes RATE:DURATION", "--stages", "0:10s");
    refused("it takes no --rate", "--stages", "5:10s", "--rate", "5");
  }

  @Test
  void aSweepNeedsAStartRateAndAnObjective() {
    Loadgen.Options o = parse("--rate", "10", "--sweep", "--slo-ttft", "200", "--slo-share", "95");
    assertThat(o.sweep()).isTrue();
    assertThat(o.sloShare()).isEqualTo(0.95);
    refused("--sweep needs an SLO", "--rate", "10", "--sweep");
    refused("--slo-share is a percentage", "--rate", "10", "--sweep", "--slo-ttft", "1", "--slo-share", "150");
    refused("go with --sweep", "--rate", "10", "--slo-share", "90");
    refused("second --target", "--target", "http://h:2", "--rate", "10", "--sweep", "--slo-ttft", "1");
    refused("--slo-tpot must be a number >= 0", "--rate", "10", "--slo-tpot", "-1");
  }

  @Test
  void aDatasetNeedsItsFormatAndSuppliesThePrompts() {
    Loadgen.Options o = parse("--rate", "1", "--dataset", "q.jsonl", "--dataset-format", "mtbench");
    assertThat(o.datasetFormat()).isEqualTo(Dataset.Format.MTBENCH);
    refused("--dataset needs --dataset-format", "--rate", "1", "--dataset", "q.jsonl");
    refused("--dataset-format must be sharegpt, jsonl or mtbench", "--rate", "1", "--dataset", "q",
        "--dataset-format", "csv");
    refused("--dataset supplies the prompts", "--rate", "1", "--dataset", "q", "--dataset-format", "jsonl", "--mix",
        "code:1");
  }

  @Test
  void vllmResultsGoBesideTheReport() {
    assertThat(parse("--rate", "1", "--report", "r.json", "--result-format", "vllm").spec().vllmView()).isTrue();
    refused("--result-format takes vllm", "--rate", "1", "--result-format", "vllm");
    refused("--result-format takes vllm", "--rate", "1", "--report", "r.json", "--result-format", "csv");
  }

  @Test
  void targetsRepeat() {
    Loadgen.Options o = parse("--target", "http://h:2/v1/chat/completions", "--rate", "10");
    assertThat(o.targets()).hasSize(2);
    assertThat(o.spec().targets()).extracting(LoadSpec.Endpoint::port).containsExactly(1, 2);
    refused("--target nohost: give a URL", "--target", "nohost", "--rate", "1");
    refused("--closed drives one target", "--target", "http://h:2", "--closed", "4");
  }

  @Test
  void aValueIsNeededAfterAnOption() {
    refused("--rate needs a value", "--rate");
    refused("--seed takes a whole number", "--rate", "1", "--seed", "x");
    refused("--duration takes a duration", "--rate", "1", "--duration", "soon");
  }

  @Test
  void apiPicksThePathTheBodiesAndHowAnswersAreRead() {
    Loadgen.Options chat = parse("--rate", "1");
    assertThat(chat.api()).isEqualTo(Api.CHAT);
    assertThat(chat.spec().api()).isEqualTo(Api.CHAT);
    Loadgen.Options messages = parse("--rate", "1", "--api", "messages", "--stream");
    assertThat(messages.spec().targets().get(0).path()).isEqualTo("/v1/messages");
    assertThat(messages.spec().api()).isEqualTo(Api.MESSAGES);
    assertThat(messages.toJson().getString("api")).isEqualTo("messages");
    assertThat(parse("--rate", "1", "--api", "responses").spec().targets().get(0).path()).isEqualTo("/v1/responses");
    assertThat(parse("--rate", "1", "--api", "completions").spec().targets().get(0).path())
        .isEqualTo("/v1/completions");
    Loadgen.Options embeddings = parse("--rate", "1", "--api", "embeddings");
    assertThat(embeddings.spec().targets().get(0).path()).isEqualTo("/v1/embeddings");
    assertThat(embeddings.maxTokens()).as("nothing generated").isZero();
    Loadgen.Options mounted = Loadgen.parse(new String[] {"--target", "http://h:1/anthropic/v1/messages", "--rate",
        "1", "--api", "messages"});
    assertThat(mounted.spec().targets().get(0).path()).as("an explicit path is kept").isEqualTo(
        "/anthropic/v1/messages");
  }

  @Test
  void badApiCombinationsNameTheOptions() {
    refused("--api must be chat, completions, responses, messages or embeddings, not 'anthropic'", "--rate", "1",
        "--api", "anthropic");
    refused("--api embeddings generates nothing, so it takes no --stream", "--rate", "1", "--api", "embeddings",
        "--stream");
    refused("--max-tokens", "--rate", "1", "--api", "embeddings", "--max-tokens", "8");
  }
}
