package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

class ScannerBenchTest {

  /** What --jmh-rounds reads from each build's run: every measured iteration of JMH's own JSON, per case. */
  @Test
  void readsEveryMeasuredIterationOfJmhsJsonPerCase(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("result.json");
    RunResult run = new Runner(new OptionsBuilder()
        .include(ScannerBench.class.getName() + ".scanAndEstimate$")
        .param("size", "1024", "4096")
        .param("text", "ascii")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(3)
        .measurementTime(TimeValue.milliseconds(30))
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .verbosity(VerboseMode.SILENT)
        .build()).run().iterator().next();

    Map<String, List<Double>> scores = new TreeMap<>();
    ScannerBench.iterations(Files.readString(json), scores);

    assertThat(scores).containsOnlyKeys("ascii 0001024", "ascii 0004096");
    List<Double> jmhOwn = new ArrayList<>();
    for (BenchmarkResult fork : run.getBenchmarkResults()) {
      for (IterationResult it : fork.getIterationResults()) {
        jmhOwn.add(it.getPrimaryResult().getScore());
      }
    }
    String firstCase = "ascii " + String.format("%07d", Integer.parseInt(run.getParams().getParam("size")));
    assertThat(scores.get(firstCase)).hasSize(3).containsExactlyElementsOf(jmhOwn);
    assertThat(scores.values()).allSatisfy(s -> assertThat(s).hasSize(3).allMatch(ns -> ns > 0));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(ScannerBench.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
    assertThat(ScannerBench.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
  }
}
