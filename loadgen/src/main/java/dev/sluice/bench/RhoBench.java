package dev.sluice.bench;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.Engine;
import dev.sluice.engine.EngineListener;
import dev.sluice.engine.PoolShape;
import dev.sluice.engine.RequestTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench rho}: saturated per-instance throughput of the engine model, in virtual time, on the
 * Azure conversation trace's length mix. Each instance is kept full by a closed loop (twice max_num_seqs
 * requests outstanding; each finished request is replaced at once by a fresh draw from the trace), and the
 * completions after a warm-up are counted. rho = short-instance throughput / homogeneous-instance throughput,
 * both on the requests that fit the short pool.
 */
@Command(name = "rho", description = "Engine model: short vs homogeneous instance throughput on the Azure conv mix.")
public final class RhoBench implements Callable<Integer> {

  @Option(names = "--trace", paramLabel = "CSV", description = "Azure trace CSV (TIMESTAMP,ContextTokens,"
      + "GeneratedTokens); default the shared conv trace")
  Path trace;
  @Option(names = "--requests", paramLabel = "N", defaultValue = "20000",
      description = "completions measured per instance after warm-up (default ${DEFAULT-VALUE})")
  int requests;
  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
  long seed;
  @Option(names = "--timing", paramLabel = "gpu|instant", defaultValue = "gpu",
      description = "step cost model (default ${DEFAULT-VALUE})")
  String timing;
  @Option(names = "--max-num-batched-tokens", paramLabel = "N", defaultValue = "-1",
      description = "step budget of both shapes (default: conf/mock's)")
  int budget;

  /** One request's lengths. */
  record Lengths(int prompt, int output) {
  }

  /** What one saturated run measured. */
  record Result(String label, PoolShape shape, double requestsPerSec, double outputTokensPerSec,
      double meanRunning, double meanStepMs, long preemptions, double meanTtftMs) {
  }

  @Override
  public Integer call() throws Exception {
    CostModel cost = CostModel.named(timing);
    Path trace = this.trace;
    if (trace == null) {
      trace = sharedData().resolve("azure").resolve("AzureLLMInferenceTrace_conv.csv");
    }
    List<Lengths> all = readTrace(trace);
    PoolShape shortShape = PoolShape.named("short");
    PoolShape homogeneous = PoolShape.named("homogeneous");
    if (budget > 0) {
      shortShape = shortShape.withMaxNumBatchedTokens(budget);
      homogeneous = homogeneous.withMaxNumBatchedTokens(budget);
    }
    List<Lengths> fitsShort = new ArrayList<>();
    for (Lengths l : all) {
      if (l.prompt() + l.output() <= shortShape.maxModelLen()) {
        fitsShort.add(l);
      }
    }
    double alpha = (double) fitsShort.size() / all.size();
    System.out.printf(Locale.ROOT, "trace %s: %d requests, alpha(<= %d tokens) = %.4f, timing %s, "
            + "max_num_batched_tokens %d%n", trace.getFileName(), all.size(), shortShape.maxModelLen(), alpha,
        cost.name(), shortShape.maxNumBatchedTokens());
    Result s = saturate("short on short mix", shortShape, cost, fitsShort, requests, seed);
    Result h = saturate("homogeneous on short mix", homogeneous, cost, fitsShort, requests, seed);
    Result hAll = saturate("homogeneous on full mix", homogeneous, cost, all, requests, seed);
    for (Result r : List.of(s, h, hAll)) {
      System.out.printf(Locale.ROOT, "%-26s max_model_len=%-6d max_num_seqs=%-4d %8.3f req/s %9.1f out tok/s "
              + "running %6.1f  step %6.2f ms  preemptions %d  mean TTFT %8.1f ms%n", r.label(),
          r.shape().maxModelLen(), r.shape().maxNumSeqs(), r.requestsPerSec(), r.outputTokensPerSec(),
          r.meanRunning(), r.meanStepMs(), r.preemptions(), r.meanTtftMs());
    }
    double rho = s.requestsPerSec() / h.requestsPerSec();
    System.out.printf(Locale.ROOT, "rho = %.3f   savings alpha*(1-1/rho) = %.3f%n", rho, alpha * (1 - 1 / rho));
    return 0;
  }

  /** Runs one instance saturated and measures completions after the first {@code requests / 5}. */
  public static Result saturate(String label, PoolShape shape, CostModel cost, List<Lengths> mix, int requests,
      long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int warmup = requests / 5;
    int target = warmup + requests;
    long[] finished = {0};
    long[] windowStart = {-1};
    long[] outputTokens = {0};
    double[] ttftSum = {0};
    int[] toReplace = {0};
    Engine engine = new Engine(shape, cost, new EngineListener() {
      @Override
      public void onFinish(RequestTimes t) {
        finished[0]++;
        toReplace[0]++;
        if (finished[0] == warmup) {
          windowStart[0] = t.finishNanos();
        } else if (finished[0] > warmup) {
          outputTokens[0] += t.outputTokens();
          ttftSum[0] += t.ttftNanos();
        }
      }
    });
    long nextId = 0;
    int outstanding = 2 * shape.maxNumSeqs();
    for (int i = 0; i < outstanding; i++) {
      Lengths l = mix.get(rnd.nextInt(mix.size()));
      engine.submit(0, nextId++, l.prompt(), l.output());
    }
    double runningSum = 0;
    long steps = 0;
    long busyAtStart = 0;
    long stepsAtStart = 0;
    while (finished[0] < target) {
      long end = engine.nextStepEnd();
      if (windowStart[0] >= 0) {
        runningSum += engine.running();
        steps++;
      } else {
        busyAtStart = engine.busyNanos();
        stepsAtStart = engine.stepsTotal();
      }
      engine.advanceTo(end);
      while (toReplace[0] > 0) {
        toReplace[0]--;
        Lengths l = mix.get(rnd.nextInt(mix.size()));
        engine.submit(engine.now(), nextId++, l.prompt(), l.output());
      }
    }
    double seconds = (engine.now() - windowStart[0]) / 1e9;
    double measured = finished[0] - warmup;
    double meanStepMs = (engine.busyNanos() - busyAtStart) / 1e6 / Math.max(1, engine.stepsTotal() - stepsAtStart);
    return new Result(label, shape, measured / seconds, outputTokens[0] / seconds, runningSum / Math.max(1, steps),
        meanStepMs, engine.preemptionsTotal(), ttftSum[0] / measured / 1e6);
  }

  static List<Lengths> readTrace(Path csv) throws IOException {
    List<Lengths> out = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      if (line.isEmpty() || line.startsWith("TIMESTAMP")) {
        continue;
      }
      String[] f = line.split(",");
      int prompt = Math.max(1, Integer.parseInt(f[1].trim()));
      int output = Math.max(1, Integer.parseInt(f[2].trim()));
      out.add(new Lengths(prompt, output));
    }
    return out;
  }

  /** The shared data folder: {@code -Dsluice.shared}, else {@code ../shared} beside the repository. */
  static Path sharedData() {
    String prop = System.getProperty("sluice.shared");
    if (prop != null) {
      return Path.of(prop, "data");
    }
    String home = System.getProperty("sluice.home", ".");
    return Path.of(home).toAbsolutePath().resolveSibling("shared").resolve("data");
  }
}
