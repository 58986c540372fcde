package dev.sluice.bench;

import dev.sluice.dispatcher.api.Api;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cli.Cli;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.CalibratingEstimator;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.Estimators;
import dev.sluice.dispatcher.estimate.FixedRatioEstimator;
import dev.sluice.dispatcher.scan.BodyScanner;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.ScanLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./sluice bench scanner [jmh options]}: the request-path cost of reading a chat body, i.e. the
 * body scanner plus the estimator, against Jackson's non-blocking parser alone skipping every token. Two
 * estimators: a fixed ratio ({@code scanAndEstimate}, the scanner's own cost) and the calibrating one the
 * dispatcher routes with, its byte-class regression learned on a few samples first
 * ({@code scanAndEstimateClasses}).
 *
 * <p>Bodies are realistic chat requests (a system and a user message, sampling fields, streaming on)
 * whose user content is English prose or Japanese from the shared corpus, serialised with raw UTF-8,
 * sized 1, 4 and 64 KiB, and fed as 8 KiB chunks the way they arrive from the socket. Each scan also takes the
 * hash of the conversation's opening, as the relay does for a request that names no conversation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScannerBench {

  static final int CHUNK = 8 * 1024;
  static final int DEFAULT_RESERVE = 256;
  private static final JsonFactory JSON = new JsonFactory();

  @Param({"1024", "4096", "65536"})
  public int size;

  @Param({"ascii", "cjk"})
  public String text;

  private Buffer[] chunks;
  private byte[][] rawChunks;
  /** The body whole, as the relay holds it once read: where the opening's hash is taken. */
  private Buffer whole;
  /** The last opening hash, kept so that it is not optimised away. */
  public long openingKey;
  private final Estimator estimator = new FixedRatioEstimator(4.0);
  private final Estimator calibrating = learned();

  /** The dispatcher's estimator, with a calibrated regression for the benchmark's model. */
  private static Estimator learned() {
    Estimator e = Estimators.calibrating(CalibrationParams.defaults(), CalibratingEstimator.Model.CLASSES,
        new SimpleMeterRegistry());
    for (int i = 0; i < 20; i++) {
      for (String kind : new String[] {"ascii", "cjk"}) {
        try {
          byte[] body = body(kind, 1024 << (i % 4));
          BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
          scanner.feed(Buffer.buffer(body));
          Budget b = e.estimate(scanner.finish(), null, DEFAULT_RESERVE);
          e.observe(b, b.promptEstimate() + i % 7);
        } catch (IOException ex) {
          throw new java.io.UncheckedIOException(ex);
        }
      }
    }
    return e;
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    byte[] body = body(text, size);
    whole = Buffer.buffer(body);
    int count = (body.length + CHUNK - 1) / CHUNK;
    chunks = new Buffer[count];
    rawChunks = new byte[count][];
    for (int i = 0; i < count; i++) {
      rawChunks[i] = Arrays.copyOfRange(body, i * CHUNK, Math.min(body.length, (i + 1) * CHUNK));
      chunks[i] = Buffer.buffer(rawChunks[i]);
    }
  }

  @Benchmark
  public Budget scanAndEstimate() {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    for (Buffer chunk : chunks) {
      scanner.feed(chunk);
    }
    RequestFacts facts = scanner.finish();
    openingKey = facts.opening().hash(whole); // as the relay does for a request that names no conversation
    return estimator.estimate(facts, null, DEFAULT_RESERVE);
  }

  @Benchmark
  public Budget scanAndEstimateClasses() {
    return scanClasses(new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS));
  }

  /** The same with {@code routing.affinity_prefix_bytes: 0}: the opening's hash is what this leaves out. */
  @Benchmark
  public Budget scanWithoutOpeningHash() {
    return scanClasses(new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS, 0));
  }

  private Budget scanClasses(BodyScanner scanner) {
    for (Buffer chunk : chunks) {
      scanner.feed(chunk);
    }
    RequestFacts facts = scanner.finish();
    openingKey = facts.opening().hash(whole);
    return calibrating.estimate(facts, null, DEFAULT_RESERVE);
  }

  @Benchmark
  public void jacksonSkipAll(Blackhole bh) throws IOException {
    try (JsonParser parser = JSON.createNonBlockingByteArrayParser()) {
      ByteArrayFeeder feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
      for (byte[] chunk : rawChunks) {
        feeder.feedInput(chunk, 0, chunk.length);
        drain(parser, bh);
      }
      feeder.endOfInput();
      drain(parser, bh);
    }
  }

  private static void drain(JsonParser parser, Blackhole bh) throws IOException {
    JsonToken t;
    while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
      bh.consume(t);
    }
  }

  /** A chat body of about {@code target} bytes whose user message is corpus text of the given kind. */
  static byte[] body(String kind, int target) throws IOException {
    String source = corpus(kind.equals("cjk") ? "ja_pure_cjk_lines.txt" : "en_narrative_pride_ch01-12.txt");
    String repeated = source.repeat(target / Math.max(1, source.length()) + 2);
    int lo = 0;
    int hi = repeated.length();
    while (lo < hi) { // longest prefix whose body fits the target
      int mid = (lo + hi + 1) >>> 1;
      if (serialise(repeated.substring(0, mid)).length <= target) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return serialise(repeated.substring(0, lo));
  }

  private static byte[] serialise(String content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model", "meta-llama/Llama-3.1-8B-Instruct");
      g.writeArrayFieldStart("messages");
      g.writeStartObject();
      g.writeStringField("role", "system");
      g.writeStringField("content", "You are a helpful assistant. Answer precisely and cite the text.");
      g.writeEndObject();
      g.writeStartObject();
      g.writeStringField("role", "user");
      g.writeStringField("content", content);
      g.writeEndObject();
      g.writeEndArray();
      g.writeNumberField("max_tokens", 512);
      g.writeNumberField("temperature", 0.7);
      g.writeNumberField("top_p", 0.95);
      g.writeBooleanField("stream", true);
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static String corpus(String file) throws IOException {
    return Files.readString(sharedDir().resolve("data/corpus").resolve(file), StandardCharsets.UTF_8);
  }

  static Path sharedDir() {
    String shared = System.getProperty("sluice.shared");
    if (shared != null) {
      return Path.of(shared);
    }
    return Path.of(System.getProperty("sluice.home", ".")).resolve("../shared").normalize().toAbsolutePath();
  }

  /**
   * {@code ./sluice bench scanner}: the JMH benchmarks of this class, standard JMH options (-wi, -i, -f, -w, -r,
   * -prof, -p) passing through. {@code --cpu [seconds]} instead times the same work in this JVM by thread CPU time,
   * which gives a per-core figure even when the machine is oversubscribed and wall-clock rates are not;
   * {@code --against JAR} sets this build beside another.
   */
  @Command(name = "scanner", description = {"Body scanner + estimator vs Jackson alone: JMH (its options, such as "
      + "-f 1 -wi 3 -i 5 -prof gc -p size=4096, pass through), or --cpu."})
  static final class Run implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--cpu", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "1",
        description = "time each case by thread CPU time in this JVM instead, SECONDS per case (default 1)")
    Double cpuSeconds;
    @Option(names = "--opening-hash", description = "instead, what the opening's affinity hash costs a 1 KiB body: "
        + "the scan with and without it, interleaved, best of 12 rounds of thread CPU time")
    boolean openingHash;
    @Option(names = "--against", paramLabel = "JAR", description = "instead, this build's scan beside another "
        + "build's (its sluice.jar), both in this JVM, every round of every case in turn")
    Path against;
    @Option(names = "--jmh-rounds", paramLabel = "N", description = "with --against: each build's own JMH instead, "
        + "one fork per case, the two builds in turn for N rounds; the best and the median iteration of each")
    Integer jmhRounds;
    @Unmatched
    List<String> jmhOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      if (openingHash) {
        System.out.println(openingHashCost());
        return 0;
      }
      if (against != null) {
        if (!Files.isRegularFile(against)) {
          throw Cli.usageError(spec, "--against: no file " + against);
        }
        if (jmhRounds != null) {
          if (jmhRounds < 1) {
            throw Cli.usageError(spec, "--jmh-rounds: at least 1, not " + jmhRounds);
          }
          System.out.println(againstJmh(against, jmhRounds));
        } else {
          System.out.println(againstCost(against));
        }
        return 0;
      }
      if (cpuSeconds != null) {
        System.out.println(cpuTimed(cpuSeconds));
        return 0;
      }
      CommandLineOptions jmh;
      try {
        jmh = new CommandLineOptions(jmhOptions.toArray(String[]::new));
      } catch (CommandLineOptionException e) {
        throw Cli.usageError(spec, "JMH refuses " + String.join(" ", jmhOptions) + ": " + e.getMessage());
      }
      runJmh(jmh);
      return 0;
    }
  }

  private static void runJmh(CommandLineOptions cli) throws Exception {
    OptionsBuilder builder = new OptionsBuilder();
    builder.parent(cli);
    if (cli.getIncludes().isEmpty()) {
      builder.include(ScannerBench.class.getName());
    }
    // Forks must find the corpus too.
    builder.jvmArgsAppend("-Dsluice.shared=" + sharedDir());
    Options options = builder.build();
    Collection<RunResult> results = new Runner(options).run();
    System.out.println(summary(results));
  }

  /** A bench outside JMH, its body of this kind and size ready. */
  private static ScannerBench prepared(String kind, int size) throws IOException {
    ScannerBench bench = new ScannerBench();
    bench.text = kind;
    bench.size = size;
    bench.setUp();
    return bench;
  }

  static String cpuTimed(double seconds) throws IOException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-22s %-6s %7s %8s %12s %14s", "benchmark", "text", "size", "body B",
        "cpu ns/op", "MB/s per core"));
    Blackhole bh = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    for (String kind : new String[] {"ascii", "cjk"}) {
      for (int target : new int[] {1024, 4096, 65536}) {
        ScannerBench bench = prepared(kind, target);
        int bodyBytes = Arrays.stream(bench.rawChunks).mapToInt(c -> c.length).sum();
        String[] names = {"jacksonSkipAll", "scanAndEstimate", "scanAndEstimateClasses", "scanWithoutOpeningHash"};
        Runnable[] ops = new Runnable[names.length];
        for (int k = 0; k < names.length; k++) {
          ops[k] = switch (names[k]) {
            case "jacksonSkipAll" -> () -> {
              try {
                bench.jacksonSkipAll(bh);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            };
            case "scanAndEstimate" -> () -> bh.consume(bench.scanAndEstimate());
            case "scanWithoutOpeningHash" -> () -> bh.consume(bench.scanWithoutOpeningHash());
            default -> () -> bh.consume(bench.scanAndEstimateClasses());
          };
          timeCpu(cpu, ops[k], seconds / 2); // warm-up
        }
        // the cases' rounds interleaved, so that a slow spell of the machine touches them all alike
        double[] best = new double[names.length];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round < 5; round++) {
          for (int k = 0; k < names.length; k++) {
            best[k] = Math.min(best[k], timeCpu(cpu, ops[k], seconds / 5, 1));
          }
        }
        for (int k = 0; k < names.length; k++) {
          lines.add(String.format(Locale.ROOT, "%-22s %-6s %7d %8d %12.0f %14.0f", names[k], kind, target, bodyBytes,
              best[k], bodyBytes * 1000.0 / best[k]));
        }
      }
    }
    return String.join("\n", lines);
  }

  /**
   * The opening's hash on 1 KiB bodies: {@code scanAndEstimateClasses} against {@code scanWithoutOpeningHash}, both
   * kinds of text, every round of every case in turn (so that a slow spell of the machine touches all alike), 16
   * rounds of 20,000 calls, the first 4 a warm-up; the best round's CPU time per call of each.
   */
  static String openingHashCost() throws IOException {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    String[] kinds = {"ascii", "cjk"};
    ScannerBench[] benches = new ScannerBench[kinds.length];
    for (int k = 0; k < kinds.length; k++) {
      benches[k] = prepared(kinds[k], 1024);
    }
    double[][] best = new double[kinds.length][2];
    for (double[] row : best) {
      Arrays.fill(row, Double.MAX_VALUE);
    }
    Object sink = null;
    for (int round = 0; round < 16; round++) {
      for (int k = 0; k < kinds.length; k++) {
        for (int m = 0; m < 2; m++) {
          long start = cpu.getCurrentThreadCpuTime();
          for (int i = 0; i < 20_000; i++) {
            sink = m == 0 ? benches[k].scanAndEstimateClasses() : benches[k].scanWithoutOpeningHash();
          }
          double nanos = (cpu.getCurrentThreadCpuTime() - start) / 20_000.0;
          if (round >= 4) {
            best[k][m] = Math.min(best[k][m], nanos);
          }
        }
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-6s %18s %18s %14s   (%s)", "text", "with hash ns/op", "without ns/op",
        "hash ns/op", sink == null ? "" : "1 KiB bodies"));
    for (int k = 0; k < kinds.length; k++) {
      lines.add(String.format(Locale.ROOT, "%-6s %18.0f %18.0f %14.0f", kinds[k], best[k][0], best[k][1],
          best[k][0] - best[k][1]));
    }
    return String.join("\n", lines);
  }

  /**
   * This build's scan beside another build's, on the same bodies in one JVM: the other build's classes come from
   * its jar through a class loader of their own, so both are compiled and timed under the same load. Every case's
   * round in turn, 250 rounds of about 4 ms of calls each, the first 50 a warm-up; the best round's CPU time per
   * call (short rounds, many of them: on a machine whose neighbours take its caches and cores, the best is the one
   * least disturbed), and this build's time over the other's. Only {@code scanAndEstimate}, in both.
   */
  static String againstCost(Path jar) throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-30s %-6s %7s %12s %14s %9s", "benchmark", "text", "size", "cpu ns/op",
        "MB/s per core", "vs then"));
    try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> thenClass = loader.loadClass(ScannerBench.class.getName());
      java.lang.reflect.Method thenScan = thenClass.getMethod("scanAndEstimate");
      for (String kind : new String[] {"ascii", "cjk"}) {
        for (int target : new int[] {1024, 4096, 65536}) {
          ScannerBench now = prepared(kind, target);
          Object then = thenClass.getConstructor().newInstance();
          thenClass.getField("text").set(then, kind);
          thenClass.getField("size").set(then, target);
          thenClass.getMethod("setUp").invoke(then);
          int bodyBytes = Arrays.stream(now.rawChunks).mapToInt(c -> c.length).sum();
          // the same one case in both builds, so that neither's compiled code has seen more kinds of calls
          String[] names = {"then scanAndEstimate", "scanAndEstimate"};
          Callable<?>[] ops = {() -> thenScan.invoke(then), now::scanAndEstimate};
          int calls = Math.max(4, 4_000_000 / (bodyBytes * 4));
          double[] best = new double[ops.length];
          Arrays.fill(best, Double.MAX_VALUE);
          Object sink = null;
          for (int round = 0; round < 250; round++) {
            for (int k = 0; k < ops.length; k++) {
              long start = cpu.getCurrentThreadCpuTime();
              for (int i = 0; i < calls; i++) {
                sink = ops[k].call();
              }
              double nanos = (cpu.getCurrentThreadCpuTime() - start) / (double) calls;
              if (round >= 50) {
                best[k] = Math.min(best[k], nanos);
              }
            }
          }
          for (int k = 0; k < ops.length; k++) {
            lines.add(String.format(Locale.ROOT, "%-30s %-6s %7d %12.0f %14.0f %8.2fx", names[k], kind, target,
                best[k], bodyBytes * 1000.0 / best[k], best[k] / best[0]));
          }
          if (sink == null) {
            lines.add("(no result)");
          }
        }
      }
    }
    lines.add("then: " + jar);
    return String.join("\n", lines);
  }

  /**
   * This build's JMH beside another build's, each in its own JVMs as {@code ./sluice bench scanner} runs it: for
   * {@code rounds} rounds, the other build's {@code scanAndEstimate} cases (one fork, 3 warm-up and 5 measured
   * iterations of 1 s), then this build's. On a machine whose neighbours come and go, builds taken in turn meet the
   * same spells; the best iteration is the least disturbed one, the median the typical one.
   */
  static String againstJmh(Path jar, int rounds) throws Exception {
    Path own = Path.of(ScannerBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path[] jars = {jar.toAbsolutePath(), own};
    List<Map<String, List<Double>>> scores = List.of(new TreeMap<>(), new TreeMap<>());
    Path json = Files.createTempFile("sluice-scanner-", ".json");
    try {
      for (int round = 1; round <= rounds; round++) {
        for (int b = 0; b < jars.length; b++) {
          System.err.printf(Locale.ROOT, "round %d/%d: %s%n", round, rounds, jars[b]);
          Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Dsluice.shared=" + sharedDir(), "-jar", jars[b].toString(), "bench", "scanner", "-f", "1", "-wi", "3",
              "-i", "5", "-w", "1s", "-r", "1s", "-rf", "json", "-rff", json.toString(), "ScannerBench.scanAndEstimate$")
              .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          if (p.waitFor() != 0) {
            throw new IllegalStateException(jars[b] + ": bench scanner exited with " + p.exitValue());
          }
          iterations(Files.readString(json), scores.get(b));
        }
      }
    } finally {
      Files.deleteIfExists(json);
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-6s %7s %11s %11s %9s %13s %13s %9s", "text", "size", "then best",
        "now best", "now/then", "then median", "now median", "now/then"));
    for (String key : scores.get(1).keySet()) {
      List<Double> then = scores.get(0).get(key);
      List<Double> now = scores.get(1).get(key);
      if (then == null) {
        continue;
      }
      double thenBest = then.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double nowBest = now.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double thenMedian = median(then);
      double nowMedian = median(now);
      String[] parts = key.split(" ");
      lines.add(String.format(Locale.ROOT, "%-6s %7s %11.0f %11.0f %8.2fx %13.0f %13.0f %8.2fx", parts[0],
          parts[1].replaceFirst("^0+", ""), thenBest, nowBest, nowBest / thenBest, thenMedian, nowMedian,
          nowMedian / thenMedian));
    }
    lines.add(String.format(Locale.ROOT, "ns per scanAndEstimate, %d rounds of 5 iterations each; then: %s", rounds,
        jar));
    return String.join("\n", lines);
  }

  /**
   * Adds every measured iteration of a JMH JSON result to {@code into}, keyed by text and zero-padded size (so that
   * the keys sort by size).
   */
  static void iterations(String jmhJson, Map<String, List<Double>> into) throws IOException {
    JsonNode results = new ObjectMapper().readTree(jmhJson);
    for (JsonNode r : results) {
      JsonNode params = r.path("params");
      String key = params.path("text").asText() + " " + String.format(Locale.ROOT, "%07d",
          params.path("size").asInt());
      List<Double> list = into.computeIfAbsent(key, k -> new ArrayList<>());
      for (JsonNode fork : r.path("primaryMetric").path("rawData")) {
        for (JsonNode score : fork) {
          list.add(score.asDouble());
        }
      }
    }
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /**
   * CPU nanoseconds per call of {@code op}: the best of five rounds of {@code seconds / 5} of this
   * thread's CPU time each. On a shared machine, CPU time still grows when other processes take the
   * caches or the sibling hyper-thread; the best round is the least disturbed one.
   */
  static double timeCpu(ThreadMXBean cpu, Runnable op, double seconds) {
    return timeCpu(cpu, op, seconds, 5);
  }

  /** The same in {@code rounds} rounds of {@code seconds / rounds} each. */
  static double timeCpu(ThreadMXBean cpu, Runnable op, double seconds, int rounds) {
    long budget = (long) (seconds * 1e9 / rounds);
    double best = Double.MAX_VALUE;
    for (int round = 0; round < rounds; round++) {
      long start = cpu.getCurrentThreadCpuTime();
      long ops = 0;
      long used;
      do {
        for (int i = 0; i < 16; i++) {
          op.run();
        }
        ops += 16;
        used = cpu.getCurrentThreadCpuTime() - start;
      } while (used < budget);
      best = Math.min(best, (double) used / ops);
    }
    return best;
  }

  /** Throughput in MB/s of body bytes, and allocation per request when the gc profiler ran. */
  static String summary(Collection<RunResult> results) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-22s %-6s %7s %8s %10s %9s %12s", "benchmark", "text", "size",
        "body B", "ns/op", "MB/s", "alloc B/op"));
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      String kind = r.getParams().getParam("text");
      int target = Integer.parseInt(r.getParams().getParam("size"));
      int bodyBytes = body(kind, target).length;
      double nanos = r.getPrimaryResult().getScore();
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      lines.add(String.format(Locale.ROOT, "%-22s %-6s %7d %8d %10.0f %9.0f %12s",
          name.substring(name.lastIndexOf('.') + 1), kind, target, bodyBytes, nanos, bodyBytes * 1000.0 / nanos,
          alloc == null ? "-" : String.format(Locale.ROOT, "%.0f", alloc.getScore())));
    }
    return String.join("\n", lines);
  }
}
