package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --sweep}: the bracketing search, on a known step function and against a gpu-timed mock of set capacity. */
class SweepTest {

  @RegisterExtension
  final TestServers servers = new TestServers();



  /** A report that meets the SLO below {@code knee} and misses it above. */
  private static JsonObject report(double rate, double knee, boolean valid) {
    return new JsonObject().put("valid", valid).put("achievedRate", rate).put("scheduled", 100)
        .put("goodput", new JsonObject().put("ofScheduled", rate <= knee ? 1.0 : 0.5))
        .put("ttftMs", new JsonObject().put("p99", 1.0)).put("tpotMs", new JsonObject().put("p99", 1.0));
  }

  @Test
  void doublesUpToTheKneeThenHalvesTheBracket() throws Exception {
    Sweep.Outcome o = Sweep.search(10, 0.99, 10, 0.05, (rate, step) -> report(rate, 37, true));
    assertThat(o.knee()).isLessThanOrEqualTo(37).isGreaterThan(37 / 1.05);
    assertThat(o.failedAt()).isGreaterThan(37).isLessThanOrEqualTo(o.knee() * 1.05);
    assertThat(o.steps()).extracting(Sweep.Step::rate).startsWith(10.0, 20.0, 40.0, 30.0);
  }

  @Test
  void startingAboveTheKneeHalvesDownFirst() throws Exception {
    Sweep.Outcome o = Sweep.search(100, 0.99, 10, 0.05, (rate, step) -> report(rate, 37, true));
    assertThat(o.steps()).extracting(Sweep.Step::rate).startsWith(100.0, 50.0, 25.0);
    assertThat(o.knee()).isLessThanOrEqualTo(37).isGreaterThan(37 / 1.05);
  }

  @Test
  void stopsAfterTheGivenNumberOfRuns() throws Exception {
    Sweep.Outcome o = Sweep.search(1, 0.99, 3, 0.05, (rate, step) -> report(rate, 1000, true));
    assertThat(o.steps()).hasSize(3);
    assertThat(o.knee()).isEqualTo(4.0);
    assertThat(o.failedAt()).isNaN();
    assertThat(Sweep.text(o, "TTFT <= 100 ms", 0.99)).contains("at least 4.00 req/s");
  }

  @Test
  void aRunTheGeneratorLaggedInIsMarked() throws Exception {
    Sweep.Outcome o = Sweep.search(10, 0.99, 6, 0.05, (rate, step) -> report(rate, 37, rate < 30)
        .put("validity", "INVALID: send-lag p99 5.00 ms > 2.0 ms"));
    assertThat(o.knee()).isLessThanOrEqualTo(37).isGreaterThan(30);
    assertThat(Sweep.text(o, "TTFT <= 100 ms", 0.99)).contains("misses (INVALID: send-lag p99 5.00 ms");
  }

  @Test
  void anEmptyRunEndsTheSearch() throws Exception {
    Sweep.Outcome o = Sweep.search(1, 0.99, 6, 0.05, (rate, step) -> report(rate, 0.1, true)
        .put("scheduled", rate < 0.3 ? 0 : 100));
    assertThat(o.steps()).extracting(Sweep.Step::rate).containsExactly(1.0, 0.5, 0.25);
    assertThat(o.knee()).isNaN();
  }

  /**
   * One sequence at a time (max_num_seqs 1) and evenly spaced arrivals make a D/D/1 queue: below the capacity
   * every request finds the engine idle and its TTFT is one prefill step; above it the backlog grows without bound
   * and the TTFT objective is soon missed. So the knee is the capacity, 1 / service time, which the engine's cost
   * model gives for these bodies. A 90% share lets a few requests delayed by a busy machine pass; 10% above the
   * capacity the growing backlog fails about half of a 3 s run, so the sweep cannot pass there.
   */
  @Test
  void findsTheCapacityOfAGpuTimedMockAsTheKnee() throws Exception {
    // no prefix cache: the bodies repeat, and cached prefixes would make the service time shorter than the
    // cost model's figure for a whole prefill
    PoolShape shape = new PoolShape("one-seq", 4096, 1, 1024, 512, 16).withPrefixCaching(false);
    MockConfig config = MockConfig.of(shape, CostModel.GPU, PromptCounter.Mode.CL100K);
    MockVllm mock = new MockVllm(config);
    servers.vertx().deployVerticle(mock).await();
    int maxTokens = 4;
    Loadgen.Options options = Loadgen.parse(StagesTest.args("http://127.0.0.1:" + mock.actualPort(), "--sweep",
        "--model", config.model(), "--rate", "8", "--duration", "3s", "--warmup", "2s", "--stream",
        "--slo-ttft", "150", "--slo-share", "90", "--sweep-runs", "7", "--prompt-tokens", "30", "--bodies", "8",
        "--max-tokens", Integer.toString(maxTokens)));

    double capacity = capacity(Loadgen.prepare(options), maxTokens);
    assertThat(capacity).as("req/s the cost model allows").isCloseTo(28, within(4.0));
    JsonObject sweep = Loadgen.run(options).getJsonObject("sweep");
    assertThat(sweep.getValue("knee")).as("a rate met the SLO").isNotNull();
    double knee = sweep.getDouble("knee");
    assertThat(knee).isBetween(0.5 * capacity, 1.12 * capacity);
    assertThat(sweep.getDouble("failedAt")).isGreaterThan(knee).isLessThan(1.5 * capacity);
    assertThat(sweep.getJsonArray("steps").size()).isBetween(4, 7);
  }

  /** Requests per second one sequence slot serves: 1 / mean service time over the bodies. */
  private static double capacity(Loadgen.Prepared prepared, int maxTokens) {
    PromptCounter counter = new PromptCounter(PromptCounter.Mode.CL100K);
    double nanos = 0;
    for (io.vertx.core.buffer.Buffer body : prepared.bodies()) {
      String text = body.toJsonObject().getJsonArray("messages").getJsonObject(0).getString("content");
      int prompt = counter.chatPromptTokens(List.of(text), 1);
      double service = CostModel.GPU.stepNanos(prompt, 0, prompt);
      for (int k = 1; k < maxTokens; k++) {
        service += CostModel.GPU.stepNanos(0, 1, prompt + k);
      }
      nanos += service;
    }
    return 1e9 / (nanos / prepared.bodies().length);
  }
}
