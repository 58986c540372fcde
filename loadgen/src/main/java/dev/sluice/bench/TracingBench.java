package dev.sluice.bench;

import dev.sluice.loadgen.ArrivalPlan;
import dev.sluice.loadgen.LoadRun;
import dev.sluice.loadgen.LoadSpec;
import dev.sluice.loadgen.Loadgen;
import dev.sluice.loadgen.RunResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./sluice bench tracing}: the CPU a request costs the dispatcher with tracing off, sampled at 1% and at
 * 100%. Three dispatcher processes share the proxy's CPU in front of one {@code instant} mock vLLM; the traced
 * ones export over OTLP/HTTP to a collector in this process that reads and drops what it gets. The same
 * open-loop rate goes to each in turn, round after round in a rotated order, and each dispatcher's process CPU
 * time (its event loops and the exporter's thread alike) is divided by the requests it handled: on a shared
 * machine that figure, taken side by side under the same load, is what compares.
 *
 * <p>First, in this process, the span work alone: what one request's spans cost the thread that makes them
 * (thread CPU time, which the machine's other load barely moves) and what exporting them costs the SDK's
 * threads, for a request traced and for the 99 in 100 that are not.
 */
@Command(name = "tracing", description = "Dispatcher CPU per request with tracing off, sampled at 1%% and at 100%% "
    + "(OTLP to an in-process collector); --help lists its options.")
public final class TracingBench implements Callable<Integer> {

  private static final String MODEL = "sluice-bench";

  /** One dispatcher: how it traces, and its process. */
  private record Mode(String name, int port, Process process) {
  }

  private record Row(String mode, double cpuMillisPerRequest, RunResult result) {
  }

  @Option(names = "--rate", paramLabel = "R", defaultValue = "1000",
      description = "open-loop requests/s sent to each dispatcher in turn (default ${DEFAULT-VALUE})")
  double rate;
  @Option(names = "--duration", paramLabel = "D", defaultValue = "15s", description = "recorded run (default ${DEFAULT-VALUE})")
  String duration;
  @Option(names = "--warmup", paramLabel = "D", defaultValue = "5s", description = "unrecorded start (default ${DEFAULT-VALUE})")
  String warmup;
  @Option(names = "--prime", paramLabel = "D", defaultValue = "10s",
      description = "closed-loop priming of each dispatcher (default ${DEFAULT-VALUE})")
  String prime;
  @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "rounds (default ${DEFAULT-VALUE})")
  int rounds;
  @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "256",
      description = "prompt size (default ${DEFAULT-VALUE})")
  int promptTokens;
  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "16", description = "(default ${DEFAULT-VALUE})")
  int maxTokens;
  @Option(names = "--proxy-cpus", paramLabel = "CPUS", description = "the dispatchers' CPUs (default: the last)")
  String proxyCpus;
  @Option(names = "--mock-cpus", paramLabel = "CPUS", description = "the mock's and generator's (default: the others)")
  String mockCpus;
  @Option(names = "--spans-only", description = "only the span work in this process, no dispatchers")
  boolean spansOnly;
  @Option(names = "--span-requests", paramLabel = "N", defaultValue = "300000",
      description = "requests per mode of the span work (default ${DEFAULT-VALUE})")
  int spanRequests;

  public TracingBench() {
  }

  @Override
  public Integer call() throws Exception {
    System.out.print(SpanCost.measure(spanRequests));
    if (spansOnly) {
      return 0;
    }
    long duration = Loadgen.parseDuration(this.duration);
    long warmup = Loadgen.parseDuration(this.warmup);
    long prime = Loadgen.parseDuration(this.prime);
    int cores = Runtime.getRuntime().availableProcessors();
    String proxyCpus = this.proxyCpus != null ? this.proxyCpus : Integer.toString(cores - 1);
    String mockCpus = this.mockCpus != null ? this.mockCpus : cores > 2 ? "0-" + (cores - 2) : "0";

    String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
    List<Process> children = new ArrayList<>();
    Path tmp = Files.createTempDirectory("sluice-tracing");
    OverheadBench.pinSelf(mockCpus);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> children.forEach(Process::destroyForcibly)));
    int verticles = Math.max(1, cores);
    Vertx vertx = Loadgen.vertx(verticles);
    AtomicLong exports = new AtomicLong();
    AtomicLong exportBytes = new AtomicLong();
    HttpServer collector = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      exports.incrementAndGet();
      exportBytes.addAndGet(body.length());
      req.response().putHeader("content-type", "application/x-protobuf").end();
    })).listen(0, "127.0.0.1").await();
    try {
      int mockPort = OverheadBench.freePort();
      children.add(OverheadBench.java(mockCpus, tmp.resolve("mock.log"), "mock-vllm", "--port",
          Integer.toString(mockPort), "--timing", "instant", "--tokenizer", "bytes", "--model", MODEL,
          "--max-num-seqs", "100000", "--max-num-batched-tokens", "100000", "--kv-blocks", "10000000"));
      OverheadBench.awaitPort(mockPort, children.get(0));
      String otlp = "http://127.0.0.1:" + collector.actualPort();
      List<Mode> modes = new ArrayList<>();
      modes.add(dispatcher("off", Map.of(), proxyCpus, tmp, mockPort, children));
      modes.add(dispatcher("1%", Map.of("SLUICE_TRACING_OTLP_ENDPOINT", otlp, "SLUICE_TRACING_SAMPLE_RATIO", "0.01"),
          proxyCpus, tmp, mockPort, children));
      modes.add(dispatcher("100%", Map.of("SLUICE_TRACING_OTLP_ENDPOINT", otlp, "SLUICE_TRACING_SAMPLE_RATIO", "1"),
          proxyCpus, tmp, mockPort, children));

      Loadgen.Prepared prepared = Loadgen.prepare(Loadgen.parse(new String[] {"--target",
          "http://127.0.0.1:" + mockPort, "--rate", "1", "--prompt-tokens", Integer.toString(promptTokens),
          "--max-tokens", Integer.toString(maxTokens), "--bodies", "256", "--no-progress"}));
      for (Mode m : modes) {
        // the same closed-loop pass for each first, so no mode pays for its own cold JIT in the measured rounds
        LoadSpec spec = LoadSpec.openLoop("127.0.0.1", m.port(), LoadSpec.DEFAULT_PATH, false, 32, 32, verticles, 0,
            0, 30_000).closedLoop(32, prime);
        new LoadRun(vertx, spec, new ArrivalPlan(new long[0], new int[0]), prepared.bodies(), null).run();
      }
      List<Row> rows = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        List<Mode> order = new ArrayList<>(modes);
        Collections.rotate(order, -round);
        for (Mode m : order) {
          LoadSpec spec = LoadSpec.openLoop("127.0.0.1", m.port(), LoadSpec.DEFAULT_PATH, false,
              LoadSpec.DEFAULT_MAX_INFLIGHT, 256, verticles, warmup, 0, 30_000);
          ArrivalPlan plan = Loadgen.schedule("constant", rate, warmup, duration, prepared.bodies().length, 1, false);
          double cpuBefore = OverheadBench.cpuSeconds(m.process());
          RunResult r = new LoadRun(vertx, spec, plan, prepared.bodies(), null).run();
          double cpu = OverheadBench.cpuSeconds(m.process()) - cpuBefore;
          long handled = r.completed() + r.errors() + plan.countBefore(warmup);
          rows.add(new Row(m.name(), cpu / handled * 1000, r));
          System.err.printf(Locale.ROOT, "tracing: round %d %-5s %.0f/s: %.4f CPU ms per request, p99 %.3f ms%n",
              round + 1, m.name(), rate, cpu / handled * 1000,
              r.overall().latency().getValueAtPercentile(99) / 1000.0);
        }
      }
      String loadAfter = Files.readString(Path.of("/proc/loadavg")).strip();
      System.out.print(table(rows, rate, rounds, proxyCpus, mockCpus, loadBefore, loadAfter, exports.get(),
          exportBytes.get()));
    } finally {
      OverheadBench.stop(children);
      vertx.close().await();
    }
    return 0;
  }

  private static Mode dispatcher(String name, Map<String, String> env, String cpus, Path tmp, int mockPort,
      List<Process> children) throws Exception {
    int port = OverheadBench.freePort();
    Process p = OverheadBench.java(cpus, tmp.resolve("dispatcher-" + name.replace("%", "pct") + ".log"), env,
        "dispatcher", "--port", Integer.toString(port), "--management-port", "0",
        "--pool", "short=8192@http://127.0.0.1:" + mockPort);
    children.add(p);
    OverheadBench.awaitPort(port, p);
    return new Mode(name, port, p);
  }

  private static String table(List<Row> rows, double rate, int rounds, String proxyCpus, String mockCpus,
      String loadBefore, String loadAfter, long exports, long exportBytes) {
    Map<String, List<Row>> byMode = new LinkedHashMap<>();
    rows.forEach(r -> byMode.computeIfAbsent(r.mode(), k -> new ArrayList<>()).add(r));
    double off = OverheadBench.median(byMode.get("off"), Row::cpuMillisPerRequest);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%nnon-streaming at %.0f req/s, dispatchers on cpu %s, mock and generator on "
        + "cpu %s, median of %d round(s); load average before %s, after %s%n", rate, proxyCpus, mockCpus, rounds,
        loadBefore, loadAfter));
    b.append(String.format(Locale.ROOT, "%-6s %9s %16s %17s %12s %8s %8s%n", "mode", "achieved", "CPU ms/request",
        "range", "vs off", "p50 ms", "p99 ms"));
    byMode.forEach((mode, cell) -> {
      double cpu = OverheadBench.median(cell, Row::cpuMillisPerRequest);
      double min = cell.stream().mapToDouble(Row::cpuMillisPerRequest).min().orElse(Double.NaN);
      double max = cell.stream().mapToDouble(Row::cpuMillisPerRequest).max().orElse(Double.NaN);
      b.append(String.format(Locale.ROOT, "%-6s %9.1f %16.4f %17s %12s %8.3f %8.3f%n", mode,
          OverheadBench.median(cell, r -> r.result().achievedRate()), cpu,
          String.format(Locale.ROOT, "%.4f-%.4f", min, max),
          mode.equals("off") ? "-" : String.format(Locale.ROOT, "%+.1f%%", (cpu / off - 1) * 100),
          OverheadBench.median(cell, r -> r.result().overall().latency().getValueAtPercentile(50) / 1000.0),
          OverheadBench.median(cell, r -> r.result().overall().latency().getValueAtPercentile(99) / 1000.0)));
    });
    b.append(String.format(Locale.ROOT, "OTLP exports received: %d, %d bytes%n", exports, exportBytes));
    return b.toString();
  }
}
