package dev.sluice.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ./sluice bench <name>}: the benchmarks whose figures go into docs/benchmarks.md. */
public final class Bench {

  @FunctionalInterface
  interface Run {
    void run(String[] args) throws Exception;
  }

  private record Entry(String help, Run run) {
  }

  private static final Map<String, Entry> BENCHES = new LinkedHashMap<>();

  static {
    // one line per benchmark
    BENCHES.put("scanner", new Entry("body scanner + estimator vs Jackson alone (JMH; JMH options pass through)",
        ScannerBench::main));
    BENCHES.put("stream-taps", new Entry("the relay's work per 2xx event stream: usage taps, error-event watch, "
        + "stream head (thread CPU time)", StreamTapBench::main));
    BENCHES.put("planner", new Entry("one planner fleet simulation: conv at 1,000 req/s for an hour", dev.sluice.planner.PlannerBench::main));
    BENCHES.put("estimator-offline", new Entry("estimator accuracy and misroutes, replayed from the corpus and "
        + "Azure traces", EstimatorOfflineBench::main));
    BENCHES.put("estimator", new Entry("estimator live: Sluice in front of mock pools (cl100k, o200k); errors and "
        + "Azure-trace misroutes vs fixed 4.0 and the paper's EMA", EstimatorLiveBench::main));
    BENCHES.put("cluster", new Entry("request path with clustering off vs on; cluster traffic per node", ClusterBench::main));
    BENCHES.put("rho", new Entry("engine model: short vs homogeneous instance throughput on the Azure conv mix", RhoBench::main));
    BENCHES.put("mock-rps", new Entry("closed-loop non-streaming req/s against one mock vLLM (instant timing)", MockRpsBench::main));
    BENCHES.put("loadgen", new Entry("load generator ceiling against an in-process instant server",
        GeneratorBench::main));
    BENCHES.put("overhead", new Entry("proxy overhead: direct vs Sluice vs nginx over instant mocks",
        OverheadBench::main));
    BENCHES.put("memory", new Entry("dispatcher heap with 20,000 idle connections and 1,000 concurrent 4 MiB bodies "
        + "against its memory bounds", MemoryBench::main));
    BENCHES.put("soak", new Entry("overload at 2x capacity and an endpoint kill against admission (outcomes, TTFT, heap)",
        SoakBench::main));
  }

  private Bench() {
  }

  public static void main(String[] args) throws Exception {
    Entry entry = args.length == 0 ? null : BENCHES.get(args[0]);
    if (entry == null) {
      StringBuilder out = new StringBuilder("usage: ./sluice bench <name> [options]\n\n");
      BENCHES.forEach((name, e) -> out.append(String.format("  %-12s %s%n", name, e.help())));
      System.out.print(out);
      if (args.length > 0 && !args[0].equals("--help")) {
        System.exit(2);
      }
      return;
    }
    entry.run().run(Arrays.copyOfRange(args, 1, args.length));
  }
}
