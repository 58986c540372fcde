package dev.sluice.demo;

import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.dispatcher.savings.LiveFigures;
import dev.sluice.loadgen.Api;
import dev.sluice.loadgen.ArrivalPlan;
import dev.sluice.loadgen.AzureTrace;
import dev.sluice.loadgen.Corpus;
import dev.sluice.loadgen.LoadRun;
import dev.sluice.loadgen.LoadSpec;
import dev.sluice.loadgen.Loadgen;
import dev.sluice.loadgen.PromptSynthesizer;
import dev.sluice.loadgen.Report;
import dev.sluice.loadgen.RequestBody;
import dev.sluice.loadgen.RunResult;
import dev.sluice.planner.CalibratedRouting;
import dev.sluice.planner.PlanReport;
import dev.sluice.planner.Planner;
import dev.sluice.planner.PromptBytes;
import dev.sluice.planner.ShapeScaling;
import dev.sluice.planner.Trace;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./sluice demo}: the whole idea end to end in one JVM. Mock vLLM pools with {@code gpu} timing
 * (time-scaled), two clustered dispatcher nodes in front of a routed fleet (short + long pools), a slice of
 * the Azure conv trace with mixed-category prompts through both nodes; then the same slice through a node in
 * front of a homogeneous fleet with as many instances; then the figures side by side; last, a saturation
 * burst through the routed fleet so that its nodes measure sluice_rho live.
 */
public final class Demo {
  static final String MODEL = "sluice-demo";
  /** The one page the demo writes, beside both fleets' JSON reports. */
  static final String COMPARISON_PAGE = "comparison.html";
  static final String SHORT = "short";
  static final String LONG = "long";
  static final int SHORT_INSTANCES = 2;
  static final int LONG_INSTANCES = 1;
  static final int HOMOGENEOUS_INSTANCES = SHORT_INSTANCES + LONG_INSTANCES;
  /** Above this share of failed requests in either fleet the demo fails. */
  static final double MAX_ERROR_SHARE = 0.02;
  static final double SLO_TTFT_P99_SECONDS = 2.0;
  static final double PRICE_PER_INSTANCE_HOUR = 8 * 2.21;
  /** Category draws per prompt: prose-heavy, as chat traffic is, with code, JSON and Japanese mixed in. */
  static final Map<String, Integer> MIX = Map.of("prose", 4, "code", 2, "json", 1, "cjk", 1);
  static final List<String> PLANNER_PROSE = List.of("en_narrative_pride_ch01-12", "en_doc_python_tutorial",
      "en_tech_debref_ch01");
  /** The planner's rate (GPU-time req/s) and rows: enough instances that one more or less is a few percent. */
  static final double PLANNER_RATE = 100;
  static final int PLANNER_ROWS = 6000;
  static final int PLANNER_ROWS_QUICK = 2000;
  /** Load runs per fleet, each driving one node (the homogeneous fleet's node gets both). */
  static final int DRIVERS = 2;
  private static final int RERATE_PASSES = 3;
  private static final long SETTLE_MILLIS = 2_500;
  private static final long CLUSTER_WAIT_MILLIS = 30_000;
  /** Longest the saturation phase waits for a measured sluice_rho. */
  static final long SATURATION_TIMEOUT_MILLIS = 30_000;
  /** Held so the level set on it is not lost to garbage collection. */
  private static final java.util.logging.Logger HAZELCAST_LOG = java.util.logging.Logger.getLogger("com.hazelcast");
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

  private final DemoOptions options;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(ADMIN_TIMEOUT).build();
  private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();

  Demo(DemoOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * {@code ./sluice demo}: runs on {@code System.out} with the members' INFO chatter off and a Ctrl-C hook that
   * stops what the run started.
   */
  static DemoSummary runUntilDone(DemoOptions options) throws Exception {
    // the members' INFO chatter would bury the summary; warnings and errors still show
    HAZELCAST_LOG.setLevel(java.util.logging.Level.WARNING);
    Demo demo = new Demo(options, System.out);
    // Ctrl-C: stop the nodes (their Hazelcast members) and the mocks this run started
    Thread hook = new Thread(demo::stopAll, "sluice-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return demo.run();
    } finally {
      demo.stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down
      }
    }
  }

  /** Runs the demo in this JVM (no exit) and returns what it measured; everything it started is stopped. */
  public static DemoSummary run(DemoOptions options, PrintStream out) throws Exception {
    Demo demo = new Demo(options, out);
    try {
      return demo.run();
    } finally {
      demo.stopAll();
    }
  }

  void stopAll() {
    for (AutoCloseable c : running) {
      try {
        c.close();
      } catch (Exception ignored) {
        // keep stopping the rest
      }
    }
    running.clear();
  }

  DemoSummary run() throws Exception {
    long started = System.nanoTime();
    Path data = sharedData();
    out.printf(Locale.ROOT, "sluice demo%s: mock GPUs %.0fx faster than real, %.1f req/s per GPU-second "
            + "(%.0f req/s wall), %.0f s measured per fleet after %.1f s warm-up%n",
        options.quick() ? " --quick" : "", options.timeScale(), options.rate(), options.wallRate(),
        options.measureSeconds(), options.warmupSeconds());

    // the slice: trace rows re-rated to the demo's rate, prompts synthesised from the corpus
    List<AzureTrace.Row> rows = AzureTrace.read(data.resolve("azure").resolve("AzureLLMInferenceTrace_conv.csv"));
    long lengthNanos = (long) ((options.warmupSeconds() + options.measureSeconds()) * 1e9);
    // the trace's opening rows are quieter than its mean: re-rate on the rows the slice actually uses
    ArrivalPlan rerated = ArrivalPlan.trace(rows, ArrivalPlan.timeScaleForRate(rows, options.wallRate()),
        lengthNanos);
    int used = rowsUsed(rerated);
    for (int pass = 0; pass < RERATE_PASSES && used >= 2; pass++) {
      List<AzureTrace.Row> slice = rows.subList(0, used);
      rerated = ArrivalPlan.trace(rows, ArrivalPlan.timeScaleForRate(slice, options.wallRate()), lengthNanos);
      used = rowsUsed(rerated);
    }
    ArrivalPlan plan = rerated;
    Buffer[] bodies = bodies(data, rows, used);
    out.printf(Locale.ROOT, "slice: the first %d rows of AzureLLMInferenceTrace_conv.csv (%d requests, %.1f req/s "
        + "wall), prompts from the corpus mixed %s%n", used, plan.size(), plan.size() / (lengthNanos / 1e9),
        new TreeMap<>(MIX));

    // the planner on the same slice, in GPU time: the "measured" savings and the rho to project with
    ShapeScaling shapes = ShapeScaling.shipped("gpu");
    PlanReport planned = plan(data, shapes, rows);
    out.printf(Locale.ROOT, "planner on the first %d rows at %.0f req/s: %d homogeneous vs %d routed (%d + %d) "
            + "instances at TTFT P99 <= %.0f ms, rho %.2f%n", planned.requests(), PLANNER_RATE,
        planned.instancesHomogeneous(), planned.instancesRouted(), planned.instancesShort(), planned.instancesLong(),
        SLO_TTFT_P99_SECONDS * 1000, planned.rho());

    // routed fleet: 2 short + 1 long mock, two clustered nodes, the load split between them
    DemoFleet routedFleet = new DemoFleet();
    running.add(routedFleet);
    for (int i = 0; i < SHORT_INSTANCES; i++) {
      routedFleet.mock(SHORT, shapes.shortPool(options.shortContext()).shape(), options.timeScale());
    }
    for (int i = 0; i < LONG_INSTANCES; i++) {
      routedFleet.mock(LONG, shapes.longPool(DemoOptions.LONG_CONTEXT).shape(), options.timeScale());
    }
    String clusterName = "sluice-demo-" + UUID.randomUUID().toString().substring(0, 8);
    int hz1 = DemoFleet.freePort();
    int hz2 = DemoFleet.freePort();
    String members = DemoFleet.HOST + ":" + hz1 + "," + DemoFleet.HOST + ":" + hz2;
    for (int hz : new int[] {hz1, hz2}) {
      routedFleet.node(List.of("--host", DemoFleet.HOST, "--port", "0",
          "--pool", routedFleet.poolSpec(SHORT, options.shortContext()),
          "--pool", routedFleet.poolSpec(LONG, DemoOptions.LONG_CONTEXT),
          "--cluster", "--cluster-name", clusterName, "--members", members,
          "--hz-port", Integer.toString(hz), "--hz-interface", DemoFleet.HOST));
    }
    List<Integer> clusterMembers = awaitCluster(routedFleet.nodes);
    routedFleet.nodes.forEach(n -> n.dispatcher().liveFigures().plannedRho(planned.rho()));
    out.printf(Locale.ROOT, "routed fleet: %d x short (%d ctx) + %d x long (%d ctx) mocks, 2 dispatcher nodes "
            + "in cluster %s (members seen: %s)%n", SHORT_INSTANCES, options.shortContext(), LONG_INSTANCES,
        DemoOptions.LONG_CONTEXT, clusterName, clusterMembers);
    // homogeneous fleet: 3 long-shape mocks behind one node, the same slice through the same kind of path
    DemoFleet homFleet = new DemoFleet();
    running.add(homFleet);
    for (int i = 0; i < HOMOGENEOUS_INSTANCES; i++) {
      homFleet.mock(LONG, shapes.longPool(DemoOptions.LONG_CONTEXT).shape(), options.timeScale());
    }
    homFleet.node(List.of("--host", DemoFleet.HOST, "--port", "0",
        "--pool", homFleet.poolSpec(LONG, DemoOptions.LONG_CONTEXT)));
    out.printf(Locale.ROOT, "homogeneous fleet: %d x long (%d ctx) mocks, 1 dispatcher node%n",
        HOMOGENEOUS_INSTANCES, DemoOptions.LONG_CONTEXT);
    // both fleets take the same slice at the same time: machine noise and JIT warm-up hit them alike
    out.printf(Locale.ROOT, "replaying the slice through both fleets at once...%n");
    RunResult[] results = new RunResult[1];
    Throwable[] failure = new Throwable[1];
    Thread homDriver = new Thread(() -> {
      try {
        results[0] = drive("homogeneous", List.of(homFleet.nodes.get(0), homFleet.nodes.get(0)), plan, bodies);
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "sluice-demo-homogeneous");
    homDriver.start();
    RunResult routed = drive("routed", routedFleet.nodes, plan, bodies);
    homDriver.join();
    if (failure[0] != null) {
      throw new IllegalStateException("homogeneous load run failed: " + failure[0], failure[0]);
    }
    RunResult homogeneous = results[0];
    Thread.sleep(SETTLE_MILLIS);
    LiveFigures a = routedFleet.nodes.get(0).dispatcher().liveFigures();
    LiveFigures b = routedFleet.nodes.get(1).dispatcher().liveFigures();
    double weightA = routedRequests(routedFleet.nodes.get(0));
    double weightB = routedRequests(routedFleet.nodes.get(1));
    double alphaLive = weightA + weightB == 0 ? Double.NaN
        : (nanToZero(a.alpha()) * weightA + nanToZero(b.alpha()) * weightB) / (weightA + weightB);
    long under = 0;
    long over = 0;
    List<Map<String, Double>> calibration = new ArrayList<>();
    for (DispatcherMain.Node n : routedFleet.nodes) {
      String metrics = n.dispatcher().metrics().scrape();
      under += (long) metric(metrics, "sluice_misroutes_total{kind=\"under\"");
      over += (long) metric(metrics, "sluice_misroutes_total{kind=\"over\"");
      calibration.add(calibration(n.dispatcher().managementPort()));
    }
    DemoSummary.Fleet routedSummary = fleet(routedFleet, routed, "routed", started);
    DemoSummary.Fleet homSummary = fleet(homFleet, homogeneous, "homogeneous", started);
    homFleet.close();
    // last, with the figures above taken: saturate both routed pools so that sluice_rho is measured live
    out.printf(Locale.ROOT, "saturating both routed pools so the nodes measure sluice_rho...%n");
    SaturationPhase.Result saturation = SaturationPhase.run(routedFleet.nodes,
        saturationBodies(data, rows, plan, bodies), SATURATION_TIMEOUT_MILLIS);
    routedFleet.close();

    Map<String, Long> split = new TreeMap<>();
    Map<String, double[]> poolTtft = new TreeMap<>();
    routed.pools().forEach((pool, g) -> {
      split.put(pool, g.completed());
      poolTtft.put(pool, new double[] {ms(g.ttft(), 50), ms(g.ttft(), 99)});
    });
    double alphaTrue = alphaTrue(plan, rows);
    double rho = planned.rho();
    double projected = alphaLive * (1 - 1 / rho);
    List<String> problems = problems(routedSummary, homSummary, clusterMembers, calibration, alphaLive);
    if (!saturation.measured()) {
      problems.add(String.format(Locale.ROOT, "sluice_rho was not measured within the %.0f s saturation phase",
          saturation.seconds()));
    }
    Path page = options.outDir().resolve(COMPARISON_PAGE);
    DemoSummary draft = new DemoSummary(routedSummary, homSummary, split, poolTtft, under, over, calibration,
        clusterMembers, alphaTrue, alphaLive, rho, saturation.rho(), saturation.seconds(), rho > 1 ? projected : 0,
        planned.savingsSimulated(), planned.instancesHomogeneous(), planned.instancesRouted() + " ("
        + planned.instancesShort() + " + " + planned.instancesLong() + ")", problems,
        page.toAbsolutePath().toString(), "");
    Files.writeString(page, ComparisonPage.render(draft, planned, options));
    String text = DemoText.render(draft, planned, options, (System.nanoTime() - started) / 1e9);
    out.print(text);
    return new DemoSummary(routedSummary, homSummary, split, poolTtft, under, over, calibration, clusterMembers,
        alphaTrue, alphaLive, rho, saturation.rho(), saturation.seconds(), draft.projectedSavings(),
        draft.simulatedSavings(), draft.instancesHomogeneous(), draft.instancesRouted(), problems, draft.page(), text);
  }

  private static int rowsUsed(ArrivalPlan plan) {
    int used = 0;
    for (int t : plan.template()) {
      used = Math.max(used, t + 1);
    }
    return used;
  }

  /** One pre-encoded streaming body per trace row used, each of a category drawn from {@link #MIX}. */
  private Buffer[] bodies(Path data, List<AzureTrace.Row> rows, int used) throws Exception {
    Bodies synth = new Bodies(data, options.seed());
    Buffer[] bodies = new Buffer[used];
    for (int r = 0; r < used; r++) {
      bodies[r] = synth.of(rows.get(r));
    }
    return bodies;
  }

  /** Prompts of a trace row's size synthesised from the corpus, in a category drawn from {@link #MIX}. */
  private static final class Bodies {
    final PromptSynthesizer synth;
    final SplittableRandom random;
    final List<String> draws = new ArrayList<>();

    Bodies(Path data, long seed) throws Exception {
      synth = new PromptSynthesizer(Corpus.load(data.resolve("corpus"), Corpus.Tokenizer.CL100K));
      random = new SplittableRandom(seed);
      new TreeMap<>(MIX).forEach((category, weight) -> {
        for (int i = 0; i < weight; i++) {
          draws.add(category);
        }
      });
    }

    Buffer of(AzureTrace.Row row) {
      String category = draws.get(random.nextInt(draws.size()));
      PromptSynthesizer.Prompt prompt = synth.synthesize(category, Math.max(1, row.contextTokens()), random);
      return Buffer.buffer(RequestBody.encode(Api.CHAT, MODEL, prompt.utf8(), Math.max(1, row.generatedTokens()), true));
    }
  }

  /**
   * The saturation burst: the slice's short requests over and over, {@link SaturationPhase#SHORT_PER_INSTANCE}
   * per short instance, and {@link SaturationPhase#LONG_REQUESTS} of the trace's rows too long for the short
   * pool (prompts synthesised like the slice's), long ones first.
   */
  private List<Buffer> saturationBodies(Path data, List<AzureTrace.Row> rows, ArrivalPlan plan, Buffer[] sliceBodies)
      throws Exception {
    List<Buffer> out = new ArrayList<>();
    Bodies synth = new Bodies(data, options.seed() + 1);
    for (AzureTrace.Row row : rows) {
      long total = (long) Math.max(1, row.contextTokens()) + Math.max(1, row.generatedTokens());
      if (total > options.shortContext() && total <= DemoOptions.LONG_CONTEXT) {
        out.add(synth.of(row));
        if (out.size() == SaturationPhase.LONG_REQUESTS) {
          break;
        }
      }
    }
    List<Buffer> shortOnes = new ArrayList<>();
    for (int t : plan.template()) {
      AzureTrace.Row row = rows.get(t);
      if (Math.max(1, row.contextTokens()) + Math.max(1, row.generatedTokens()) <= options.shortContext()) {
        shortOnes.add(sliceBodies[t]);
      }
    }
    for (int i = 0; i < SaturationPhase.SHORT_PER_INSTANCE * SHORT_INSTANCES && !shortOnes.isEmpty(); i++) {
      out.add(shortOnes.get(i % shortOnes.size()));
    }
    return out;
  }

  /**
   * The planner on the trace from the slice's first row on, re-rated to {@link #PLANNER_RATE} GPU-time req/s so
   * that integer fleet sizes do not swamp the comparison, routing like a settled node would.
   */
  private PlanReport plan(Path data, ShapeScaling shapes, List<AzureTrace.Row> rows) throws Exception {
    int n = Math.min(rows.size(), options.quick() ? PLANNER_ROWS_QUICK : PLANNER_ROWS);
    double[] arrival = new double[n];
    int[] prompt = new int[n];
    int[] output = new int[n];
    long first = rows.get(0).offsetNanos();
    for (int i = 0; i < n; i++) {
      AzureTrace.Row row = rows.get(i);
      arrival[i] = (row.offsetNanos() - first) / 1e9;
      prompt[i] = Math.max(1, row.contextTokens());
      output[i] = Math.max(1, row.generatedTokens());
    }
    Planner.Config config = new Planner.Config(options.shortContext(), DemoOptions.LONG_CONTEXT,
        SLO_TTFT_P99_SECONDS, PRICE_PER_INSTANCE_HOUR, options.seed(), Planner.Scope.FLEET);
    PromptBytes bytes = PromptBytes.fromCorpus(data.resolve("corpus").resolve("chunk_tokens.tsv"), PLANNER_PROSE);
    CalibratedRouting routing = new CalibratedRouting(options.shortContext(), ContentCategory.PROSE);
    Trace trace = new Trace(arrival, prompt, output).rerated(PLANNER_RATE, 0);
    return Planner.plan(trace, config, shapes, bytes, routing, routing::conservativeBytesPerToken);
  }

  /** Drives the nodes in parallel, each with every {@code nodes.size()}-th request of the plan. */
  private RunResult drive(String label, List<DispatcherMain.Node> nodes, ArrivalPlan plan, Buffer[] bodies)
      throws Exception {
    Vertx vertx = Loadgen.vertx(DRIVERS);
    running.add(() -> vertx.close().await(3, TimeUnit.SECONDS));
    try {
      List<RunResult> results = new CopyOnWriteArrayList<>();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int d = 0; d < DRIVERS; d++) {
        ArrivalPlan part = share(plan, d, DRIVERS);
        int port = nodes.get(d % nodes.size()).dispatcher().port();
        LoadSpec spec = LoadSpec.openLoop(DemoFleet.HOST, port, LoadSpec.DEFAULT_PATH, true,
            LoadSpec.DEFAULT_MAX_INFLIGHT / DRIVERS, LoadSpec.DEFAULT_CONNECTIONS / DRIVERS, 1,
            (long) (options.warmupSeconds() * 1e9), 0, LoadSpec.DEFAULT_TIMEOUT_MILLIS);
        Thread t = new Thread(() -> {
          try {
            results.add(new LoadRun(vertx, spec, part, bodies, null).run());
          } catch (Throwable e) {
            failures.add(e);
          }
        }, "sluice-demo-" + label + "-" + d);
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("load run failed: " + failures.get(0), failures.get(0));
      }
      return RunMerge.merge(results);
    } finally {
      vertx.close().await(3, TimeUnit.SECONDS);
    }
  }

  /** Every {@code parts}-th request from {@code index} on, at its original time. */
  static ArrivalPlan share(ArrivalPlan plan, int index, int parts) {
    int n = (plan.size() - index + parts - 1) / parts;
    long[] offsets = new long[Math.max(0, n)];
    int[] template = new int[Math.max(0, n)];
    for (int i = 0; i < n; i++) {
      offsets[i] = plan.offsetsNanos()[index + i * parts];
      template[i] = plan.template()[index + i * parts];
    }
    return new ArrivalPlan(offsets, template);
  }

  private DemoSummary.Fleet fleet(DemoFleet fleet, RunResult r, String label, long started) throws Exception {
    long preemptions = 0;
    double tokens = 0;
    for (DemoFleet.Instance i : fleet.instances) {
      String metrics = get(i.port(), "/metrics");
      preemptions += (long) metric(metrics, "vllm:num_preemptions_total");
      tokens += metric(metrics, "vllm:generation_tokens_total");
    }
    double wallSeconds = options.warmupSeconds() + options.measureSeconds();
    Files.createDirectories(options.outDir());
    Path file = options.outDir().resolve(label + ".json");
    JsonObject config = new JsonObject().put("target", "demo " + label + " fleet").put("demo", label)
        .put("instances", fleet.instances.size()).put("timeScale", options.timeScale())
        .put("ratePerGpuSecond", options.rate()).put("trace", "AzureLLMInferenceTrace_conv.csv").put("stream", true);
    JsonObject report = Report.json(r, config);
    Files.writeString(file, report.encodePrettily() + "\n");
    RunResult.Group g = r.overall();
    return new DemoSummary.Fleet(fleet.instances.size(), r.completed(), r.errors(), ms(g.ttft(), 50),
        ms(g.ttft(), 99), ms(g.latency(), 50), ms(g.latency(), 99), preemptions,
        tokens / wallSeconds / fleet.instances.size(), report, file.toAbsolutePath().toString());
  }

  /** Share of the slice's requests whose true prompt plus output fits the short context. */
  private double alphaTrue(ArrivalPlan plan, List<AzureTrace.Row> rows) {
    int fits = 0;
    for (int t : plan.template()) {
      AzureTrace.Row row = rows.get(t);
      if (Math.max(1, row.contextTokens()) + Math.max(1, row.generatedTokens()) <= options.shortContext()) {
        fits++;
      }
    }
    return plan.size() == 0 ? Double.NaN : (double) fits / plan.size();
  }

  private static double ms(org.HdrHistogram.Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private List<Integer> awaitCluster(List<DispatcherMain.Node> nodes) throws InterruptedException {
    long deadline = System.currentTimeMillis() + CLUSTER_WAIT_MILLIS;
    while (true) {
      List<Integer> seen = new ArrayList<>();
      for (DispatcherMain.Node n : nodes) {
        seen.add(n.dispatcher().cluster().status().members().size());
      }
      if (seen.stream().allMatch(s -> s >= nodes.size()) || System.currentTimeMillis() > deadline) {
        return seen;
      }
      Thread.sleep(100);
    }
  }

  private static double routedRequests(DispatcherMain.Node node) {
    String metrics = node.dispatcher().metrics().scrape();
    return metric(metrics, "sluice_budget_tokens_count{pool=\"" + SHORT + "\"")
        + metric(metrics, "sluice_budget_tokens_count{pool=\"" + LONG + "\"");
  }

  /** Category to learned bytes per token, from a node's /admin/calibration. */
  private Map<String, Double> calibration(int port) throws Exception {
    Map<String, Double> out = new TreeMap<>();
    JsonArray entries = new JsonObject(get(port, "/admin/calibration")).getJsonArray("entries", new JsonArray());
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.getJsonObject(i);
      if (e.getLong("samples", 0L) > 0) {
        out.put(e.getString("category"), e.getDouble("bytesPerToken"));
      }
    }
    return out;
  }

  private String get(int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + DemoFleet.HOST + ":" + port + path))
        .timeout(ADMIN_TIMEOUT).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * Sum of the samples whose line starts with {@code prefix} (a metric name, optionally with the start of
   * its label block) in a Prometheus text exposition; 0 when none.
   */
  static double metric(String exposition, String prefix) {
    double sum = 0;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(prefix)) {
        char next = line.length() > prefix.length() ? line.charAt(prefix.length()) : ' ';
        if (next == ' ' || next == '{' || next == ',' || next == '}') {
          try {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          } catch (NumberFormatException ignored) {
            // not a sample line
          }
        }
      }
    }
    return sum;
  }

  private static double nanToZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  private static List<String> problems(DemoSummary.Fleet routed, DemoSummary.Fleet hom, List<Integer> members,
      List<Map<String, Double>> calibration, double alpha) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, DemoSummary.Fleet> e : Map.of("routed", routed, "homogeneous", hom).entrySet()) {
      if (e.getValue().completed() == 0) {
        problems.add(e.getKey() + " fleet completed no request");
      } else if (e.getValue().errorShare() > MAX_ERROR_SHARE) {
        problems.add(String.format(Locale.ROOT, "%s fleet failed %.1f%% of its requests (limit %.0f%%)", e.getKey(),
            100 * e.getValue().errorShare(), 100 * MAX_ERROR_SHARE));
      }
    }
    if (members.stream().anyMatch(m -> m < 2)) {
      problems.add("the two routed nodes did not form a cluster (members seen: " + members + ")");
    }
    if (calibration.stream().anyMatch(Map::isEmpty)) {
      problems.add("a node learned no calibration from usage.prompt_tokens");
    }
    if (!(alpha > 0 && alpha < 1)) {
      problems.add("sluice_alpha is " + alpha + ", expected strictly between 0 and 1 on this slice");
    }
    return problems;
  }

  /** The shared folder's data: {@code -Dsluice.shared}, else {@code ../shared} beside the repo or the working dir. */
  static Path sharedData() {
    String prop = System.getProperty("sluice.shared");
    if (prop != null) {
      return Path.of(prop, "data");
    }
    List<Path> candidates = new ArrayList<>();
    String home = System.getProperty("sluice.home");
    if (home != null) {
      candidates.add(Path.of(home).toAbsolutePath().resolveSibling("shared"));
    }
    Path cwd = Path.of("").toAbsolutePath();
    candidates.add(cwd.resolveSibling("shared"));
    candidates.add(cwd.resolve("shared"));
    for (Path c : candidates) {
      if (Files.isDirectory(c.resolve("data"))) {
        return c.resolve("data");
      }
    }
    throw new IllegalStateException("shared data not found; pass -Dsluice.shared=DIR (tried " + candidates + ")");
  }
}
