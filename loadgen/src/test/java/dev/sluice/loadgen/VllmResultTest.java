package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --result-format vllm}: field names as vLLM's {@code bench serve --save-result} writes them, values in its
 * units, against a server whose timing is known: first token after 100 ms, then one token every 20 ms.
 */
class VllmResultTest {

  private static final int TOKENS = 5;

  @TempDir
  Path dir;
  @RegisterExtension
  final TestServers servers = new TestServers();



  private JsonObject run(String... extra) throws Exception {
    int port = servers.streaming(100, 20, TOKENS);
    Path report = dir.resolve("run.json");
    List<String> args = new ArrayList<>(List.of(StagesTest.args("http://127.0.0.1:" + port, "--rate", "20",
        "--duration", "2s", "--stream", "--slo-ttft", "500", "--report", report.toString(), "--result-format",
        "vllm")));
    args.addAll(List.of(extra));
    Loadgen.run(Loadgen.parse(args.toArray(String[]::new)));
    List<String> lines = Files.readAllLines(dir.resolve("run.vllm.json"));
    assertThat(lines).hasSize(1);
    return new JsonObject(lines.get(0));
  }

  private static Set<String> metricNames(String metric) {
    Set<String> names = new TreeSet<>(List.of("mean_" + metric + "_ms", "median_" + metric + "_ms",
        "std_" + metric + "_ms"));
    for (String p : List.of("50", "90", "95", "99", "99.9")) {
      names.add("p" + p + "_" + metric + "_ms");
    }
    return names;
  }

  @Test
  void hasVllmsFieldNames() throws Exception {
    JsonObject r = run();
    Set<String> expected = new TreeSet<>(List.of("date", "endpoint_type", "backend", "label", "model_id",
        "tokenizer_id", "num_prompts", "request_rate", "burstiness", "max_concurrency", "duration", "completed",
        "failed", "total_input_tokens", "total_output_tokens", "request_throughput", "request_goodput",
        "output_throughput", "total_token_throughput", "sluice_clock", "sluice_tokens"));
    for (String m : List.of("ttft", "tpot", "itl", "e2el")) {
      expected.addAll(metricNames(m));
    }
    assertThat(new TreeSet<>(r.fieldNames())).isEqualTo(expected);
    assertThat(r.getString("date")).matches("\\d{8}-\\d{6}");
    assertThat(r.getString("backend")).isEqualTo("openai-chat");
    assertThat(r.getDouble("request_rate")).isEqualTo(20.0);
    assertThat(r.getString("burstiness")).as("evenly spaced arrivals").isEqualTo("inf");
  }

  @Test
  void latenciesAreMillisecondsAndThroughputsPerSecond() throws Exception {
    JsonObject r = run();
    assertThat(r.getInteger("completed")).isEqualTo(40);
    assertThat(r.getInteger("failed")).isZero();
    // TTFT from the send: the server's 100 ms, plus a little
    assertThat(r.getDouble("mean_ttft_ms")).isBetween(99.0, 140.0);
    // TPOT = (last token - first token) / (tokens - 1) = 20 ms
    assertThat(r.getDouble("median_tpot_ms")).isCloseTo(20.0, within(6.0));
    // end to end: 100 ms + 4 x 20 ms
    assertThat(r.getDouble("median_e2el_ms")).isBetween(179.0, 230.0);
    assertThat(r.getDouble("p99_ttft_ms")).isGreaterThanOrEqualTo(r.getDouble("median_ttft_ms"));
    // the role chunk and the first token share a read, so one ITL sample of ~0 per request, then four of 20 ms
    assertThat(r.getDouble("mean_itl_ms")).isCloseTo(16.0, within(5.0));
    // duration in seconds: the 2 s schedule plus the last request's ~0.2 s
    assertThat(r.getDouble("duration")).isBetween(2.0, 2.6);
    assertThat(r.getInteger("total_output_tokens")).isEqualTo(40 * TOKENS);
    assertThat(r.getDouble("output_throughput")).isCloseTo(40.0 * TOKENS / r.getDouble("duration"), within(1e-6));
    assertThat(r.getDouble("request_throughput")).isCloseTo(40 / r.getDouble("duration"), within(1e-6));
    assertThat(r.getDouble("request_goodput")).isCloseTo(40 / r.getDouble("duration"), within(1e-6));
    assertThat(r.getLong("total_input_tokens")).isPositive();
    assertThat(r.getDouble("total_token_throughput")).isCloseTo(
        (r.getLong("total_input_tokens") + 40.0 * TOKENS) / r.getDouble("duration"), within(1e-6));
  }

  @Test
  void aConcurrencyCapAddsVllmsQueueFields() throws Exception {
    JsonObject r = run("--max-concurrency", "2", "--burstiness", "0.5");
    assertThat(r.getInteger("max_concurrency")).isEqualTo(2);
    assertThat(r.getDouble("burstiness")).isEqualTo(0.5);
    assertThat(r.fieldNames()).containsAll(metricNames("client_queue_time"))
        .containsAll(metricNames("e2el_including_client_queue"));
    // vLLM's e2el starts at the send, after the queue; the queue-inclusive one starts at the intended start
    assertThat(r.getDouble("mean_e2el_including_client_queue_ms"))
        .isGreaterThanOrEqualTo(r.getDouble("mean_e2el_ms"));
  }
}
