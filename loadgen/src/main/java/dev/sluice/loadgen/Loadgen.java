package dev.sluice.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./sluice loadgen}: an open-loop load generator for OpenAI-compatible endpoints (chat, completions, responses,
 * embeddings) and Anthropic's Messages API ({@link Api}).
 */
public final class Loadgen {

  static final String USAGE = """
      usage: ./sluice loadgen --target URL [--target URL2 ...]
                              (--rate R | --stages R:D,... | --trace FILE | --closed N) [--duration D] [options]
        --target URL          e.g. http://127.0.0.1:8080 (path defaults to the --api's); given twice or
                              more, the schedule alternates over the targets (each gets an equal share of the rate
                              and the same sequence of bodies) and each target gets its own report
        --rate R              requests per second over all targets (with --trace: re-rate the trace to this mean)
        --arrival A           constant (default) or poisson
        --burstiness K        gamma inter-arrival times of shape K (1 = Poisson, < 1 bursty, > 1 regular), as vLLM
        --max-concurrency N   at most N requests in flight per target; due requests wait for a slot and the wait
                              counts in their latency (reported apart as queue wait)
        --stages R:D,...      rates run back to back in one schedule, one report per stage, e.g. 10:30s,20:30s
        --sweep               search the highest rate meeting the SLO, starting from --rate; needs --slo-ttft
                              and/or --slo-tpot
        --slo-share PCT       share of scheduled requests that must meet the SLO in a sweep (default 99)
        --sweep-runs N        most runs a sweep makes (default 8)
        --trace FILE          Azure trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens); wraps around if short
        --time-scale X        multiply the trace's time axis by X (0.1 = ten times faster)
        --closed N            closed loop with N requests in flight instead of a schedule (for capacity probes)
        --duration D          measured length, e.g. 30s, 2m, 500ms (default 30s)
        --warmup D            leading time sent but not recorded, rate ramping up from 10% (default 0)
        --stream              ask for SSE streaming; TTFT/ITL/TPOT from the text events
      """ + Api.HELP + """
        --dataset FILE        prompts from a dataset file, sampled with the seed (see --dataset-format)
        --dataset-format F    sharegpt, jsonl (prompt or messages, optional max_tokens) or mtbench
        --prompt-tokens N     prompt size in true tokens (default 256; trace: ContextTokens)
        --mix CAT:W,...       prompt categories and weights (prose, code, json, cjk, mixed; default prose:1)
        --max-tokens N        max_tokens (default 16; trace and dataset: theirs unless given)
        --max-inflight N      cap on requests in flight or waiting; due requests beyond it are counted blocked
                              (default 4096)
        --connections N       HTTP/1.1 connections per target (default 512)
        --verticles N         event loops driving the load (default: cores)
        --slo-ttft MS         goodput counts completed requests with TTFT <= MS
        --slo-tpot MS         ... and TPOT <= MS
        --timeout D           idle timeout per request (default 60s)
        --report FILE.json    write the JSON report (schema: docs/loadgen.md)
        --result-format vllm  also write FILE.vllm.json beside the report, with vLLM's benchmark field names
        --records FILE.csv    one CSV row per request
        --html FILE.html      write the offline HTML report
        --seed S              seed for arrivals, prompt choice and dataset sampling (default 1)
        --model NAME          model field of the bodies (default: the first of the target's /v1/models)
        --tokenizer T         llama3 (default), cl100k or o200k: whose token counts size the prompts
        --bodies N            distinct pre-encoded bodies without a trace (default 512; dataset: 1000 entries)
        --corpus DIR          corpus folder (default ../shared/data/corpus)
        --pacer               wake the event loops from a timing thread when a request is due (sub-ms send
                              lag instead of the 1 ms tick's, costs some CPU)
        --progress / --no-progress   progress line on stderr every second (default: on a terminal)
      multi-turn conversations: ./sluice loadgen --sessions N --turns K --target URL ... (--sessions --help)
      """;

  /** One stage of {@code --stages}: a rate held for a duration. */
  public record StageSpec(double rate, long durationNanos) {
  }

  /** Parsed command line. */
  public record Options(
      List<URI> targets, double rate, String arrival, double burstiness, Path trace, double timeScale, int closed,
      long durationNanos, long warmupNanos, boolean stream, int promptTokens, Map<String, Double> mix, int maxTokens,
      boolean maxTokensSet, int maxInflight, int connections, int verticles, double sloTtftMs, double sloTpotMs,
      long timeoutMillis, Path report, Path html, long seed, String model, boolean modelSet,
      Corpus.Tokenizer tokenizer, int bodies, Path corpus, boolean progress, boolean pacer, Path dataset,
      Dataset.Format datasetFormat, int maxConcurrency, List<StageSpec> stages, boolean sweep, double sloShare,
      int sweepRuns, String resultFormat, Path records, Api api) {

    /** The first target. */
    public URI target() {
      return targets.get(0);
    }

    /**
     * {@code max_tokens} of a body whose source (dataset entry, trace row) states {@code own}, null when it states
     * none: {@code --max-tokens} when given, else its own, else the default; 0 for an API that generates nothing.
     */
    int maxTokensFor(Integer own) {
      return !api.generates() ? 0 : maxTokensSet || own == null ? maxTokens : own;
    }

    public Options withModel(String name) {
      return new Options(targets, rate, arrival, burstiness, trace, timeScale, closed, durationNanos, warmupNanos,
          stream, promptTokens, mix, maxTokens, maxTokensSet, maxInflight, connections, verticles, sloTtftMs,
          sloTpotMs, timeoutMillis, report, html, seed, name, true, tokenizer, bodies, corpus, progress, pacer,
          dataset, datasetFormat, maxConcurrency, stages, sweep, sloShare, sweepRuns, resultFormat, records, api);
    }

    public Options withRate(double r) {
      return new Options(targets, r, arrival, burstiness, trace, timeScale, closed, durationNanos, warmupNanos,
          stream, promptTokens, mix, maxTokens, maxTokensSet, maxInflight, connections, verticles, sloTtftMs,
          sloTpotMs, timeoutMillis, report, html, seed, model, modelSet, tokenizer, bodies, corpus, progress, pacer,
          dataset, datasetFormat, maxConcurrency, stages, sweep, sloShare, sweepRuns, resultFormat, records, api);
    }

    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("target", target().toString()).put("api", api.id());
      if (targets.size() > 1) {
        o.put("targets", new JsonArray(targets.stream().map(URI::toString).toList()));
      }
      if (trace != null) {
        o.put("trace", trace.toString()).put("timeScale", timeScale);
      } else if (closed > 0) {
        o.put("closed", closed);
      } else {
        o.put("arrival", arrival);
        if (arrival.equals("gamma")) {
          o.put("burstiness", burstiness);
        }
      }
      if (rate > 0) {
        o.put("rate", rate);
      }
      if (dataset != null) {
        o.put("dataset", dataset.toString()).put("datasetFormat", datasetFormat.id());
      } else {
        o.put("promptTokens", promptTokens).put("mix", new JsonObject(new LinkedHashMap<>(mix)));
      }
      return o.put("durationS", durationNanos / 1e9).put("warmupS", warmupNanos / 1e9).put("stream", stream)
          .put("maxTokens", maxTokens).put("maxInflight", maxInflight).put("maxConcurrency", maxConcurrency)
          .put("connections", connections).put("verticles", verticles).put("sloTtftMs", sloTtftMs)
          .put("sloTpotMs", sloTpotMs).put("seed", seed).put("model", model)
          .put("tokenizer", tokenizer.name().toLowerCase(Locale.ROOT)).put("pacer", pacer);
    }

    public LoadSpec spec() {
      List<LoadSpec.Endpoint> endpoints = new ArrayList<>();
      for (URI t : targets) {
        String path = t.getRawPath() == null || t.getRawPath().isEmpty() || t.getRawPath().equals("/")
            ? api.path() : t.getRawPath();
        endpoints.add(new LoadSpec.Endpoint(t.getHost(), t.getPort() > 0 ? t.getPort() : 80, path));
      }
      LoadSpec.Endpoint first = endpoints.get(0);
      LoadSpec spec = LoadSpec.openLoop(first.host(), first.port(), first.path(), stream, maxInflight, connections,
          verticles, warmupNanos, sloTtftMs, timeoutMillis).withTargets(endpoints).withSloTpot(sloTpotMs)
          .withMaxConcurrency(maxConcurrency).withRecords(records != null)
          .withVllmView("vllm".equals(resultFormat)).withApi(api);
      return closed > 0 ? spec.closedLoop(closed, warmupNanos + durationNanos) : spec.withPacer(pacer);
    }
  }

  /**
   * The schedule and the pre-encoded bodies it indexes.
   *
   * @param promptTokens     true prompt tokens over all bodies
   * @param bodyPromptTokens true prompt tokens of each body
   * @param bodyMaxTokens    {@code max_tokens} of each body
   * @param layout           how the schedule divides into stages and targets
   * @param dataset          what was drawn from {@code --dataset} (null without one)
   */
  public record Prepared(ArrivalPlan plan, Buffer[] bodies, long promptTokens, int[] bodyPromptTokens,
      int[] bodyMaxTokens, RunLayout layout, JsonObject dataset) {

    public Bodies sized() {
      return new Bodies(bodies, bodyPromptTokens, bodyMaxTokens);
    }
  }

  static final String DEFAULT_MODEL = "sluice-bench";
  static final String DEFAULT_DURATION = "30s";
  static final String DEFAULT_TIMEOUT = "60s";
  static final int DEFAULT_PROMPT_TOKENS = 256;
  static final int DEFAULT_MAX_TOKENS = 16;
  static final int DEFAULT_BODIES = 512;
  /** Dataset entries drawn when {@code --bodies} is not given: vLLM's {@code --num-prompts} default. */
  static final int DEFAULT_DATASET_BODIES = 1000;
  static final String DEFAULT_MIX = "prose:1";
  static final String DEFAULT_TOKENIZER = "llama3";
  static final double DEFAULT_SLO_SHARE_PERCENT = 99;
  static final int DEFAULT_SWEEP_RUNS = 8;
  /** A sweep stops when its bracket is this narrow relative to the passing rate. */
  static final double SWEEP_PRECISION = 0.05;
  static final String SERIES_SCHEMA = "sluice.loadgen.series.v1";

  private Loadgen() {
  }

  /** The first model id the target lists on {@code /v1/models}, or {@link #DEFAULT_MODEL} when it lists none. */
  static String servedModel(URI target) {
    Vertx vertx = Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient client = vertx.createHttpClient();
      int port = target.getPort() > 0 ? target.getPort() : 80;
      Buffer body = client.request(io.vertx.core.http.HttpMethod.GET, port, target.getHost(), "/v1/models")
          .compose(req -> req.send()).compose(resp -> resp.statusCode() == 200 ? resp.body()
              : io.vertx.core.Future.failedFuture("status " + resp.statusCode()))
          .timeout(5, TimeUnit.SECONDS).await();
      io.vertx.core.json.JsonArray data = body.toJsonObject().getJsonArray("data");
      return data == null || data.isEmpty() ? DEFAULT_MODEL : data.getJsonObject(0).getString("id", DEFAULT_MODEL);
    } catch (Exception e) {
      return DEFAULT_MODEL;
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Prepares the schedule and bodies, runs, prints the summaries and writes the outputs the options name. Returns
   * the report: one run's, or a series ({@value #SERIES_SCHEMA}) for stages, several targets or a sweep.
   */
  public static JsonObject run(Options options) throws Exception {
    Outputs outputs = new Outputs(options);
    Vertx vertx = vertx(options.spec().verticles());
    try {
      JsonObject result;
      if (options.sweep()) {
        result = sweep(vertx, options, outputs);
      } else {
        List<JsonObject> reports = runOnce(vertx, options, null, outputs, null);
        result = reports.size() == 1 ? reports.get(0) : series(options.stages() != null ? "stages" : "targets",
            reports);
      }
      outputs.finish(result);
      return result;
    } finally {
      vertx.close().await();
    }
  }

  /** One schedule run: one report per group (stage x target); {@code sized} null = prepare the bodies too. */
  private static List<JsonObject> runOnce(Vertx vertx, Options options, SizedBodies sized, Outputs outputs,
      String prefix) throws Exception {
    long t0 = System.nanoTime();
    Prepared prepared = sized == null ? prepare(options) : prepare(options, sized);
    System.err.printf(Locale.ROOT, "loadgen: %d requests scheduled, %d bodies pre-encoded in %.1fs%n",
        prepared.plan().size(), prepared.bodies().length, (System.nanoTime() - t0) / 1e9);
    if (prepared.dataset() != null && sized == null) {
      System.err.println("loadgen: " + datasetLine(prepared.dataset()));
    }
    LoadSpec spec = options.spec();
    LoadRun run = new LoadRun(vertx, spec, prepared.plan(), prepared.sized(), prepared.layout(),
        options.progress() ? System.err : null);
    List<RunResult> results = run.runGroups();
    RunLayout layout = prepared.layout();
    List<JsonObject> reports = new ArrayList<>();
    for (int g = 0; g < results.size(); g++) {
      JsonObject config = options.toJson();
      String label = label(prefix, layout, g);
      config.put("label", label);
      RunLayout.Stage stage = layout.stage(g);
      if (layout.stages().size() > 1) {
        config.put("rate", stage.rate()).put("durationS", stage.durationNanos() / 1e9)
            .put("stage", g / layout.targets() + 1).put("stageStartS", stage.startNanos() / 1e9);
      }
      if (layout.targets() > 1) {
        config.put("target", options.targets().get(layout.target(g)).toString());
        if (stage.rate() > 0) {
          config.put("rate", stage.rate() / layout.targets()).put("rateAllTargets", stage.rate());
        }
      }
      if (prepared.dataset() != null) {
        config.put("datasetSample", prepared.dataset());
        config.put("promptTokenizer", prepared.dataset().getString("vocabulary"));
      }
      JsonObject report = Report.json(results.get(g), config);
      if (results.size() > 1 || prefix != null) {
        System.out.println("== " + describe(label, layout, g, options) + " ==");
      }
      System.out.print(Report.text(report));
      outputs.add(label, report, results.get(g));
      reports.add(report);
    }
    outputs.records(run, prefix == null ? "run" : prefix);
    return reports;
  }

  private static JsonObject sweep(Vertx vertx, Options options, Outputs outputs) throws Exception {
    double share = options.sloShare();
    String objective = Report.objective(new JsonObject().put("sloTtftMs", options.sloTtftMs())
        .put("sloTpotMs", options.sloTpotMs()));
    SizedBodies sized = bodies(options);
    if (sized.dataset() != null) {
      System.err.println("loadgen: " + datasetLine(sized.dataset()));
    }
    Sweep.Outcome outcome = Sweep.search(options.rate(), share, options.sweepRuns(), SWEEP_PRECISION,
        (rate, step) -> {
          System.err.printf(Locale.ROOT, "loadgen: sweep run %d of at most %d at %.2f req/s%n", step,
              options.sweepRuns(), rate);
          return runOnce(vertx, options.withRate(rate), sized, outputs, "sweep" + step).get(0);
        });
    System.out.print(Sweep.text(outcome, objective, share));
    List<JsonObject> reports = outcome.steps().stream().map(Sweep.Step::report).toList();
    return series("sweep", reports).put("sweep", Sweep.json(outcome, objective, share));
  }

  private static JsonObject series(String kind, List<JsonObject> reports) {
    return new JsonObject().put("schema", SERIES_SCHEMA).put("kind", kind).put("runs", new JsonArray(reports));
  }

  /** {@code run}, {@code stage2}, {@code target1}, {@code stage2-target1}, {@code sweep3}. */
  static String label(String prefix, RunLayout layout, int group) {
    List<String> parts = new ArrayList<>();
    if (prefix != null) {
      parts.add(prefix);
    }
    if (layout.stages().size() > 1) {
      parts.add("stage" + (group / layout.targets() + 1));
    }
    if (layout.targets() > 1) {
      parts.add("target" + (layout.target(group) + 1));
    }
    return parts.isEmpty() ? "run" : String.join("-", parts);
  }

  private static String describe(String label, RunLayout layout, int group, Options options) {
    StringBuilder b = new StringBuilder(label);
    if (layout.stages().size() > 1) {
      RunLayout.Stage s = layout.stage(group);
      b.append(String.format(Locale.ROOT, ": %.2f req/s for %.1fs from %.1fs", s.rate(), s.durationNanos() / 1e9,
          s.startNanos() / 1e9));
    }
    if (layout.targets() > 1) {
      b.append(": ").append(options.targets().get(layout.target(group)));
      double rate = layout.stage(group).rate();
      if (rate > 0) {
        b.append(String.format(Locale.ROOT, " at %.2f req/s, its share", rate / layout.targets()));
      }
    }
    return b.toString();
  }

  private static String datasetLine(JsonObject d) {
    JsonObject p = d.getJsonObject("promptTokens");
    JsonObject m = d.getJsonObject("maxTokens");
    return String.format(Locale.ROOT, "dataset %s (%s): %d entries, %d skipped, %d drawn with seed %d; prompt "
            + "tokens in %s: mean %.1f, p50 %d, p99 %d, max %d; max_tokens %s: mean %.1f, p50 %d, max %d",
        d.getString("file"), d.getString("format"), d.getInteger("entries"), d.getInteger("skipped"),
        d.getInteger("drawn"), d.getLong("seed"), d.getString("vocabulary"), p.getDouble("mean"), p.getInteger("p50"),
        p.getInteger("p99"), p.getInteger("max"), d.getString("maxTokensFrom"), m.getDouble("mean"),
        m.getInteger("p50"), m.getInteger("max"));
  }

  /** A Vert.x with one event loop per driving verticle. */
  public static Vertx vertx(int verticles) {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(verticles).setPreferNativeTransport(true));
  }

  public static Prepared prepare(Options o) throws Exception {
    return o.trace() != null ? prepareTrace(o, o.spec()) : prepare(o, bodies(o));
  }

  /** The bodies of a run without a trace: drawn from the dataset, or synthesized from the corpus. */
  private static SizedBodies bodies(Options o) throws IOException {
    return o.dataset() != null ? datasetBodies(o) : synthesizedBodies(o);
  }

  /** The schedule of a run without a trace over bodies already prepared. */
  private static Prepared prepare(Options o, SizedBodies sized) {
    LoadSpec spec = o.spec();
    int targets = spec.targets().size();
    ArrivalPlan plan;
    RunLayout layout;
    if (o.stages() != null) {
      List<ArrivalPlan> parts = new ArrayList<>();
      List<RunLayout.Stage> stages = new ArrayList<>();
      long at = 0;
      if (o.warmupNanos() > 0) {
        parts.add(schedule(o.arrival(), o.stages().get(0).rate(), o.warmupNanos(), 0, sized.size(), o.seed(), false,
            o.burstiness()));
        at = o.warmupNanos();
      }
      int count = parts.isEmpty() ? 0 : parts.get(0).size();
      for (int s = 0; s < o.stages().size(); s++) {
        StageSpec stage = o.stages().get(s);
        ArrivalPlan part = schedule(o.arrival(), stage.rate(), 0, stage.durationNanos(), sized.size(),
            o.seed() + s + 1, false, o.burstiness()).shifted(at, count % sized.size(), sized.size());
        parts.add(part);
        stages.add(new RunLayout.Stage(stage.rate(), at, stage.durationNanos()));
        at += stage.durationNanos();
        count += part.size();
      }
      plan = ArrivalPlan.concat(parts);
      layout = new RunLayout(targets, stages, spec.verticles());
    } else {
      plan = schedule(o.arrival(), o.rate(), o.warmupNanos(), o.durationNanos(), sized.size(), o.seed(),
          o.closed() > 0, o.burstiness());
      layout = RunLayout.single(targets, o.rate(), o.warmupNanos(), spec.verticles());
    }
    return new Prepared(plan.alternated(targets, layout::targetOf), sized.buffers(), sized.totalPromptTokens(),
        sized.promptTokens(), sized.maxTokens(), layout, sized.dataset());
  }

  /** Bodies with their sizes, and what was drawn from a dataset. */
  private record SizedBodies(Buffer[] buffers, int[] promptTokens, int[] maxTokens, JsonObject dataset) {
    int size() {
      return buffers.length;
    }

    long totalPromptTokens() {
      long sum = 0;
      for (int t : promptTokens) {
        sum += t;
      }
      return sum;
    }
  }

  private static SizedBodies synthesizedBodies(Options o) throws IOException {
    SplittableRandom random = new SplittableRandom(o.seed());
    Corpus corpus = Corpus.load(o.corpus(), o.tokenizer());
    PromptSynthesizer synth = new PromptSynthesizer(corpus);
    CategoryPicker picker = new CategoryPicker(o.mix());
    picker.check(corpus);
    int n = o.bodies() > 0 ? o.bodies() : DEFAULT_BODIES;
    Buffer[] bodies = new Buffer[n];
    int[] tokens = new int[n];
    int[] maxTokens = new int[n];
    for (int i = 0; i < n; i++) {
      PromptSynthesizer.Prompt prompt = synth.synthesize(picker.pick(random), o.promptTokens(), random);
      maxTokens[i] = o.maxTokensFor(null);
      bodies[i] = Buffer.buffer(RequestBody.encode(o.api(), o.model(), prompt.utf8(), maxTokens[i], o.stream()));
      tokens[i] = prompt.tokens();
    }
    return new SizedBodies(bodies, tokens, maxTokens, null);
  }

  /**
   * Draws {@code --bodies} entries (default {@value #DEFAULT_DATASET_BODIES}) of the dataset with the seed and
   * encodes them; prompt sizes are counted in true tokens of the chosen vocabulary. Output lengths: {@code
   * --max-tokens} when given, else the entry's own ({@code max_tokens}, or the tokens of a ShareGPT reply), else the
   * default.
   */
  private static SizedBodies datasetBodies(Options o) throws IOException {
    Dataset dataset = Dataset.read(o.dataset(), o.datasetFormat());
    Vocabulary vocabulary = Vocabulary.of(o.tokenizer());
    List<Dataset.Entry> drawn = dataset.sample(o.bodies() > 0 ? o.bodies() : DEFAULT_DATASET_BODIES, o.seed());
    Buffer[] bodies = new Buffer[drawn.size()];
    int[] tokens = new int[drawn.size()];
    int[] maxTokens = new int[drawn.size()];
    int fromDataset = 0;
    for (int i = 0; i < bodies.length; i++) {
      Dataset.Entry e = drawn.get(i);
      for (Dataset.Message m : e.messages()) {
        tokens[i] += vocabulary.count(m.content());
      }
      Integer own = e.maxTokens() != null ? e.maxTokens()
          : e.reply() != null ? Integer.valueOf(Math.max(1, vocabulary.count(e.reply()))) : null;
      maxTokens[i] = o.maxTokensFor(own);
      fromDataset += !o.maxTokensSet() && own != null ? 1 : 0;
      bodies[i] = Buffer.buffer(RequestBody.encode(o.api(), o.model(), e.messages(), maxTokens[i], o.stream()));
    }
    String maxFrom = !o.api().generates() ? "none (" + o.api().id() + " generates nothing)"
        : o.maxTokensSet() ? "from --max-tokens"
        : fromDataset == bodies.length ? "from the dataset"
        : fromDataset == 0 ? "from the default --max-tokens " + o.maxTokens()
        : "from the dataset (" + fromDataset + " entries) or the default " + o.maxTokens();
    JsonObject info = new JsonObject().put("file", o.dataset().toString()).put("format", o.datasetFormat().id())
        .put("entries", dataset.entries().size()).put("skipped", dataset.skipped()).put("drawn", bodies.length)
        .put("seed", o.seed()).put("vocabulary", vocabulary.name()).put("promptTokens", stats(tokens))
        .put("maxTokensFrom", maxFrom).put("maxTokens", stats(maxTokens));
    return new SizedBodies(bodies, tokens, maxTokens, info);
  }

  /** {@code mean, p50, p90, p99, max} of a set of counts. */
  static JsonObject stats(int[] values) {
    int[] v = values.clone();
    Arrays.sort(v);
    long sum = 0;
    for (int x : v) {
      sum += x;
    }
    return new JsonObject().put("mean", Report.round((double) sum / v.length)).put("p50", at(v, 0.5))
        .put("p90", at(v, 0.9)).put("p99", at(v, 0.99)).put("max", v[v.length - 1]);
  }

  private static int at(int[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static Prepared prepareTrace(Options o, LoadSpec spec) throws IOException {
    SplittableRandom random = new SplittableRandom(o.seed());
    Corpus corpus = Corpus.load(o.corpus(), o.tokenizer());
    PromptSynthesizer synth = new PromptSynthesizer(corpus);
    CategoryPicker picker = new CategoryPicker(o.mix());
    picker.check(corpus);
    List<AzureTrace.Row> rows = AzureTrace.read(o.trace());
    double scale = o.rate() > 0 ? ArrivalPlan.timeScaleForRate(rows, o.rate()) : o.timeScale();
    ArrivalPlan plan = ArrivalPlan.trace(rows, scale, o.warmupNanos() + o.durationNanos());
    RunLayout layout = RunLayout.single(spec.targets().size(), o.rate(), o.warmupNanos(), spec.verticles());
    plan = plan.alternated(layout.targets(), layout::targetOf);
    int used = 0;
    for (int t : plan.template()) {
      used = Math.max(used, t + 1);
    }
    Buffer[] bodies = new Buffer[used];
    int[] tokens = new int[used];
    int[] maxTokens = new int[used];
    long total = 0;
    for (int r = 0; r < used; r++) {
      AzureTrace.Row row = rows.get(r);
      PromptSynthesizer.Prompt prompt = synth.synthesize(picker.pick(random), Math.max(1, row.contextTokens()), random);
      maxTokens[r] = o.maxTokensFor(Math.max(1, row.generatedTokens()));
      bodies[r] = Buffer.buffer(RequestBody.encode(o.api(), o.model(), prompt.utf8(), maxTokens[r], o.stream()));
      tokens[r] = prompt.tokens();
      total += prompt.tokens();
    }
    return new Prepared(plan, bodies, total, tokens, maxTokens, layout, null);
  }

  /** A constant or Poisson schedule whose warm-up ramps up to the rate (empty for a closed loop). */
  public static ArrivalPlan schedule(String arrival, double rate, long warmupNanos, long durationNanos, int templates,
      long seed, boolean closedLoop) {
    return schedule(arrival, rate, warmupNanos, durationNanos, templates, seed, closedLoop, 1.0);
  }

  /** A constant, Poisson or gamma ({@code burstiness} = shape) schedule whose warm-up ramps up to the rate. */
  public static ArrivalPlan schedule(String arrival, double rate, long warmupNanos, long durationNanos, int templates,
      long seed, boolean closedLoop, double burstiness) {
    if (closedLoop) {
      return new ArrivalPlan(new long[0], new int[0]);
    }
    long length = ArrivalPlan.rampedLength(warmupNanos, durationNanos);
    ArrivalPlan plan = switch (arrival) {
      case "poisson" -> ArrivalPlan.poisson(rate, length, templates, seed);
      case "gamma" -> ArrivalPlan.gamma(rate, length, templates, seed, burstiness);
      default -> ArrivalPlan.constant(rate, length, templates);
    };
    return plan.rampWarmup(warmupNanos);
  }

  /** Flags that take no value. */
  private static final List<String> SWITCHES = List.of("--stream", "--progress", "--no-progress", "--pacer",
      "--sweep");
  /** Options that take a value; {@code --target} adds a target each time, for the others the last one counts. */
  private static final List<String> VALUED = List.of("target", "rate", "closed", "trace", "time-scale", "arrival",
      "burstiness", "mix", "duration", "warmup", "prompt-tokens", "max-tokens", "max-inflight", "connections",
      "verticles", "slo-ttft", "slo-tpot", "timeout", "report", "html", "seed", "model", "tokenizer", "bodies",
      "corpus", "dataset", "dataset-format", "max-concurrency", "stages", "slo-share", "sweep-runs",
      "result-format", "records", "api");

  /** Parses the command line; returns null for --help. */
  public static Options parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    List<String> flags = new ArrayList<>();
    List<URI> targets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (SWITCHES.contains(a)) {
        flags.add(a);
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String name = a.substring(2);
      if (!VALUED.contains(name)) {
        throw new IllegalArgumentException("unknown option " + a);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String value = args[++i];
      if (name.equals("target")) {
        targets.add(uri(value));
      } else {
        v.put(name, value);
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("--target is required");
    }
    double rate = positiveOr(v, "rate", 0);
    String traceFile = v.get("trace");
    int closed = intOpt(v, "closed", 0);
    List<StageSpec> stages = v.containsKey("stages") ? parseStages(v.get("stages")) : null;
    boolean sweep = flags.contains("--sweep");
    if (stages != null && (v.containsKey("rate") || traceFile != null || closed > 0 || v.containsKey("duration"))) {
      throw new IllegalArgumentException("--stages gives the rates and durations; it takes no --rate, --duration, "
          + "--trace or --closed");
    }
    if (traceFile == null && closed <= 0 && !(rate > 0) && stages == null) {
      throw new IllegalArgumentException("give --rate R, --stages R:D,..., --trace FILE or --closed N");
    }
    if (v.containsKey("time-scale") && v.containsKey("rate") && traceFile != null) {
      throw new IllegalArgumentException("--time-scale and --rate both rescale the trace; give one");
    }
    String arrival = v.getOrDefault("arrival", "constant");
    if (!arrival.equals("constant") && !arrival.equals("poisson")) {
      throw new IllegalArgumentException("--arrival must be constant or poisson");
    }
    double burstiness = 1.0;
    if (v.containsKey("burstiness")) {
      burstiness = positiveOr(v, "burstiness", 1.0);
      if (v.containsKey("arrival") || traceFile != null || closed > 0) {
        throw new IllegalArgumentException("--burstiness sets gamma arrivals for --rate or --stages; it takes no "
            + "--arrival, --trace or --closed");
      }
      arrival = "gamma";
    }
    Path dataset = v.containsKey("dataset") ? Path.of(v.get("dataset")) : null;
    Dataset.Format datasetFormat = null;
    if (dataset != null) {
      if (!v.containsKey("dataset-format")) {
        throw new IllegalArgumentException("--dataset needs --dataset-format sharegpt, jsonl or mtbench");
      }
      datasetFormat = Dataset.Format.parse(v.get("dataset-format"));
      if (traceFile != null || v.containsKey("mix") || v.containsKey("prompt-tokens")) {
        throw new IllegalArgumentException("--dataset supplies the prompts; it takes no --trace, --mix or "
            + "--prompt-tokens");
      }
    } else if (v.containsKey("dataset-format")) {
      throw new IllegalArgumentException("--dataset-format needs --dataset FILE");
    }
    int maxConcurrency = intOpt(v, "max-concurrency", 0);
    if (v.containsKey("max-concurrency") && (maxConcurrency < 1 || closed > 0)) {
      throw new IllegalArgumentException("--max-concurrency must be >= 1 and cannot go with --closed");
    }
    if (closed > 0 && (targets.size() > 1 || v.containsKey("records"))) {
      throw new IllegalArgumentException("--closed drives one target and keeps no --records");
    }
    double sloTtft = nonNegative(v, "slo-ttft");
    double sloTpot = nonNegative(v, "slo-tpot");
    double sharePercent = positiveOr(v, "slo-share", DEFAULT_SLO_SHARE_PERCENT);
    if (sharePercent > 100) {
      throw new IllegalArgumentException("--slo-share is a percentage: at most 100");
    }
    int sweepRuns = intOpt(v, "sweep-runs", DEFAULT_SWEEP_RUNS);
    if (sweep) {
      if (!(rate > 0) || traceFile != null || stages != null || closed > 0 || targets.size() > 1) {
        throw new IllegalArgumentException("--sweep starts from --rate R on one target; it takes no --trace, "
            + "--stages, --closed or second --target");
      }
      if (!(sloTtft > 0) && !(sloTpot > 0)) {
        throw new IllegalArgumentException("--sweep needs an SLO: --slo-ttft MS and/or --slo-tpot MS");
      }
      if (sweepRuns < 1) {
        throw new IllegalArgumentException("--sweep-runs must be >= 1");
      }
    } else if (v.containsKey("slo-share") || v.containsKey("sweep-runs")) {
      throw new IllegalArgumentException("--slo-share and --sweep-runs go with --sweep");
    }
    String resultFormat = v.get("result-format");
    if (resultFormat != null && (!resultFormat.equals("vllm") || !v.containsKey("report"))) {
      throw new IllegalArgumentException("--result-format takes vllm and writes beside --report FILE.json");
    }
    Api api = Api.parse(v.getOrDefault("api", Api.CHAT.id()));
    if (!api.generates() && (flags.contains("--stream") || v.containsKey("max-tokens"))) {
      throw new IllegalArgumentException("--api " + api.id() + " generates nothing, so it takes no --stream or "
          + "--max-tokens");
    }
    Map<String, Double> mix = parseMix(v.getOrDefault("mix", DEFAULT_MIX));
    int cores = Runtime.getRuntime().availableProcessors();
    return new Options(
        List.copyOf(targets), rate, arrival, burstiness, traceFile == null ? null : Path.of(traceFile),
        positiveOr(v, "time-scale", 1), closed,
        duration(v, "duration", DEFAULT_DURATION), duration(v, "warmup", "0s"),
        flags.contains("--stream"), intOpt(v, "prompt-tokens", DEFAULT_PROMPT_TOKENS), mix,
        api.generates() ? intOpt(v, "max-tokens", DEFAULT_MAX_TOKENS) : 0, v.containsKey("max-tokens"),
        intOpt(v, "max-inflight", LoadSpec.DEFAULT_MAX_INFLIGHT),
        intOpt(v, "connections", LoadSpec.DEFAULT_CONNECTIONS),
        intOpt(v, "verticles", cores), sloTtft, sloTpot,
        TimeUnit.NANOSECONDS.toMillis(duration(v, "timeout", DEFAULT_TIMEOUT)),
        v.containsKey("report") ? Path.of(v.get("report")) : null,
        v.containsKey("html") ? Path.of(v.get("html")) : null,
        longOpt(v, "seed", 1), v.getOrDefault("model", DEFAULT_MODEL), v.containsKey("model"),
        tokenizer(v.getOrDefault("tokenizer", DEFAULT_TOKENIZER)), intOpt(v, "bodies", 0),
        v.containsKey("corpus") ? Path.of(v.get("corpus")) : Corpus.defaultDir(),
        flags.contains("--progress") || (!flags.contains("--no-progress") && System.console() != null),
        flags.contains("--pacer"), dataset, datasetFormat, maxConcurrency, stages, sweep, sharePercent / 100,
        sweepRuns, resultFormat, v.containsKey("records") ? Path.of(v.get("records")) : null, api);
  }

  private static URI uri(String text) {
    try {
      URI u = URI.create(text);
      if (u.getHost() == null) {
        throw new IllegalArgumentException("--target " + text + ": give a URL such as http://127.0.0.1:8080");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("--target") ? e.getMessage()
          : "--target " + text + ": not a URL");
    }
  }

  private static Corpus.Tokenizer tokenizer(String name) {
    try {
      return Corpus.Tokenizer.parse(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tokenizer must be llama3, cl100k or o200k, not '" + name + "'");
    }
  }

  private static double number(Map<String, String> v, String name, double otherwise) {
    String text = v.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes a number, not '" + text + "'");
    }
  }

  private static double positiveOr(Map<String, String> v, String name, double otherwise) {
    double x = number(v, name, otherwise);
    if (v.containsKey(name) && !(x > 0 && Double.isFinite(x))) {
      throw new IllegalArgumentException("--" + name + " must be a number > 0, not '" + v.get(name) + "'");
    }
    return x;
  }

  private static double nonNegative(Map<String, String> v, String name) {
    double x = number(v, name, 0);
    if (!(x >= 0 && Double.isFinite(x))) {
      throw new IllegalArgumentException("--" + name + " must be a number >= 0, not '" + v.get(name) + "'");
    }
    return x;
  }

  private static int intOpt(Map<String, String> v, String name, int otherwise) {
    return (int) longOpt(v, name, otherwise);
  }

  private static long longOpt(Map<String, String> v, String name, long otherwise) {
    String text = v.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes a whole number, not '" + text + "'");
    }
  }

  private static long duration(Map<String, String> v, String name, String otherwise) {
    String text = v.getOrDefault(name, otherwise);
    try {
      long nanos = parseDuration(text);
      if (nanos < 0) {
        throw new NumberFormatException();
      }
      return nanos;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes a duration such as 30s, 2m or 500ms, not '" + text
          + "'");
    }
  }

  /** {@code 10:30s,20:1m}: rate and duration of each stage. */
  static List<StageSpec> parseStages(String text) {
    List<StageSpec> stages = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] rd = part.strip().split(":");
      try {
        if (rd.length != 2) {
          throw new NumberFormatException();
        }
        double rate = Double.parseDouble(rd[0].strip());
        long nanos = parseDuration(rd[1]);
        if (!(rate > 0) || nanos <= 0) {
          throw new NumberFormatException();
        }
        stages.add(new StageSpec(rate, nanos));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--stages takes RATE:DURATION,... with rates > 0, e.g. 10:30s,20:1m; "
            + "not '" + part.strip() + "'");
      }
    }
    return List.copyOf(stages);
  }

  /** {@code 30s}, {@code 2m}, {@code 500ms}, {@code 1h}; a bare number is seconds. */
  public static long parseDuration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    double factor = 1e9;
    if (t.endsWith("ms")) {
      factor = 1e6;
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      factor = 60e9;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      factor = 3600e9;
      t = t.substring(0, t.length() - 1);
    }
    return Math.round(Double.parseDouble(t) * factor);
  }

  static Map<String, Double> parseMix(String text) {
    Map<String, Double> mix = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      String[] kv = part.strip().split(":");
      double w;
      try {
        w = kv.length > 1 ? Double.parseDouble(kv[1]) : 1.0;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--mix takes CATEGORY:WEIGHT,..., not '" + part.strip() + "'");
      }
      if (!(w > 0)) {
        throw new IllegalArgumentException("mix weight must be > 0: " + part);
      }
      mix.put(kv[0].strip(), w);
    }
    return mix;
  }

  /**
   * Where a run's outputs go: the JSON report (one run's, or the series), one HTML page per run, the vLLM-format
   * results (one JSON object per run per line, as vLLM's {@code --append-result} writes them) and the records.
   */
  private static final class Outputs {
    private final Options options;
    private final Path vllm;
    private final List<JsonObject> vllmResults = new ArrayList<>();
    private final List<String[]> html = new ArrayList<>();
    private Writer records;

    Outputs(Options options) throws IOException {
      this.options = options;
      this.vllm = "vllm".equals(options.resultFormat()) ? sibling(options.report(), ".vllm.json") : null;
      if (options.records() != null) {
        records = Files.newBufferedWriter(options.records(), StandardCharsets.UTF_8);
        records.write(RequestLog.HEADER);
      }
    }

    void add(String label, JsonObject report, RunResult result) {
      if (vllm != null) {
        vllmResults.add(VllmResult.json(result, report.getJsonObject("config"), LocalDateTime.now()));
      }
      if (options.html() != null) {
        html.add(new String[] {label, HtmlReport.render(report)});
      }
    }

    void records(LoadRun run, String label) throws IOException {
      if (records != null) {
        run.writeRecords(records, label);
      }
    }

    void finish(JsonObject result) throws IOException {
      if (records != null) {
        records.close();
      }
      if (options.report() != null) {
        Files.writeString(options.report(), result.encodePrettily() + "\n");
      }
      if (vllm != null) {
        StringBuilder lines = new StringBuilder();
        for (JsonObject r : vllmResults) {
          lines.append(r.encode()).append('\n');
        }
        Files.writeString(vllm, lines);
      }
      for (String[] page : html) {
        Path file = html.size() == 1 ? options.html() : sibling(options.html(), "-" + page[0] + ".html");
        Files.writeString(file, page[1]);
      }
    }

    /** {@code out/run.json} with suffix {@code .vllm.json} is {@code out/run.vllm.json}. */
    static Path sibling(Path file, String suffix) {
      String name = file.getFileName().toString();
      int dot = name.lastIndexOf('.');
      String stem = dot > 0 ? name.substring(0, dot) : name;
      return file.resolveSibling(stem + suffix);
    }
  }

  /** Picks a category by weight. */
  static final class CategoryPicker {
    private final String[] names;
    private final double[] cumulative;

    CategoryPicker(Map<String, Double> mix) {
      names = mix.keySet().toArray(String[]::new);
      cumulative = new double[names.length];
      double sum = 0;
      for (int i = 0; i < names.length; i++) {
        sum += mix.get(names[i]);
        cumulative[i] = sum;
      }
    }

    void check(Corpus corpus) {
      for (String n : names) {
        corpus.category(n);
      }
    }

    String pick(SplittableRandom random) {
      double x = random.nextDouble() * cumulative[cumulative.length - 1];
      for (int i = 0; i < names.length; i++) {
        if (x < cumulative[i]) {
          return names[i];
        }
      }
      return names[names.length - 1];
    }
  }
}
