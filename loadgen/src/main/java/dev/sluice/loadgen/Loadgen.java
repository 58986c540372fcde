package dev.sluice.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** {@code ./sluice loadgen}: an open-loop load generator for OpenAI-compatible chat endpoints. */
public final class Loadgen {

  static final String USAGE = """
      usage: ./sluice loadgen --target URL (--rate R [--arrival constant|poisson] | --trace FILE [--time-scale X | --rate R]
                              | --closed N) --duration D [options]
        --target URL          e.g. http://127.0.0.1:8080 (path defaults to /v1/chat/completions)
        --rate R              requests per second (with --trace: re-rate the trace to this mean rate)
        --arrival A           constant (default) or poisson
        --trace FILE          Azure trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens); wraps around if short
        --time-scale X        multiply the trace's time axis by X (0.1 = ten times faster)
        --closed N            closed loop with N requests in flight instead of a schedule (for capacity probes)
        --duration D          measured length, e.g. 30s, 2m, 500ms (default 30s)
        --warmup D            leading time sent but not recorded, rate ramping up from 10% (default 0)
        --stream              ask for SSE streaming; TTFT/ITL/TPOT from the events
        --prompt-tokens N     prompt size in true tokens (default 256; trace: ContextTokens)
        --mix CAT:W,...       prompt categories and weights (prose, code, json, cjk, mixed; default prose:1)
        --max-tokens N        max_tokens (default 16; trace: GeneratedTokens unless given)
        --max-inflight N      in-flight cap; due requests beyond it are counted blocked (default 4096)
        --connections N       HTTP/1.1 connections (default 512)
        --verticles N         event loops driving the load (default: cores)
        --slo-ttft MS         goodput counts completed requests with TTFT <= MS
        --timeout D           idle timeout per request (default 60s)
        --report FILE.json    write the JSON report (schema: docs/loadgen.md)
        --html FILE.html      write the offline HTML report
        --seed S              seed for Poisson arrivals and prompt choice (default 1)
        --model NAME          model field of the bodies (default: the first of the target's /v1/models)
        --tokenizer T         llama3 (default), cl100k or o200k: whose token counts size the prompts
        --bodies N            distinct pre-encoded bodies without a trace (default 512)
        --corpus DIR          corpus folder (default ../shared/data/corpus)
        --pacer               wake the event loops from a timing thread when a request is due (sub-ms send
                              lag instead of the 1 ms tick's, costs some CPU)
        --progress / --no-progress   progress line on stderr every second (default: on a terminal)
      """;

  /** Parsed command line. */
  public record Options(
      URI target, double rate, String arrival, Path trace, double timeScale, int closed, long durationNanos,
      long warmupNanos, boolean stream, int promptTokens, Map<String, Double> mix, int maxTokens, boolean maxTokensSet,
      int maxInflight, int connections, int verticles, double sloTtftMs, long timeoutMillis, Path report, Path html,
      long seed, String model, boolean modelSet, Corpus.Tokenizer tokenizer, int bodies, Path corpus,
      boolean progress, boolean pacer) {

    public Options withModel(String name) {
      return new Options(target, rate, arrival, trace, timeScale, closed, durationNanos, warmupNanos, stream,
          promptTokens, mix, maxTokens, maxTokensSet, maxInflight, connections, verticles, sloTtftMs, timeoutMillis,
          report, html, seed, name, true, tokenizer, bodies, corpus, progress, pacer);
    }

    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("target", target.toString());
      if (trace != null) {
        o.put("trace", trace.toString()).put("timeScale", timeScale);
      } else if (closed > 0) {
        o.put("closed", closed);
      } else {
        o.put("arrival", arrival);
      }
      if (rate > 0) {
        o.put("rate", rate);
      }
      return o.put("durationS", durationNanos / 1e9).put("warmupS", warmupNanos / 1e9).put("stream", stream)
          .put("promptTokens", promptTokens).put("mix", new JsonObject(new LinkedHashMap<>(mix)))
          .put("maxTokens", maxTokens).put("maxInflight", maxInflight).put("connections", connections)
          .put("verticles", verticles).put("sloTtftMs", sloTtftMs).put("seed", seed).put("model", model)
          .put("tokenizer", tokenizer.name().toLowerCase(Locale.ROOT)).put("pacer", pacer);
    }

    public LoadSpec spec() {
      String path = target.getRawPath() == null || target.getRawPath().isEmpty() || target.getRawPath().equals("/")
          ? LoadSpec.DEFAULT_PATH : target.getRawPath();
      int port = target.getPort() > 0 ? target.getPort() : 80;
      LoadSpec spec = LoadSpec.openLoop(target.getHost(), port, path, stream, maxInflight, connections, verticles,
          warmupNanos, sloTtftMs, timeoutMillis);
      return closed > 0 ? spec.closedLoop(closed, warmupNanos + durationNanos) : spec.withPacer(pacer);
    }
  }

  /** The schedule and the pre-encoded bodies it indexes. */
  public record Prepared(ArrivalPlan plan, Buffer[] bodies, long promptTokens) {
  }

  static final String DEFAULT_MODEL = "sluice-bench";
  static final String DEFAULT_DURATION = "30s";
  static final String DEFAULT_TIMEOUT = "60s";
  static final int DEFAULT_PROMPT_TOKENS = 256;
  static final int DEFAULT_MAX_TOKENS = 16;
  static final int DEFAULT_BODIES = 512;
  static final String DEFAULT_MIX = "prose:1";
  static final String DEFAULT_TOKENIZER = "llama3";

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

  /** Prepares the schedule and bodies, runs, prints the summary and writes the reports the options name. */
  public static JsonObject run(Options options) throws Exception {
    long t0 = System.nanoTime();
    Prepared prepared = prepare(options);
    System.err.printf(Locale.ROOT, "loadgen: %d requests scheduled, %d bodies pre-encoded in %.1fs%n",
        prepared.plan().size(), prepared.bodies().length, (System.nanoTime() - t0) / 1e9);
    Vertx vertx = vertx(options.verticles());
    try {
      RunResult result = new LoadRun(vertx, options.spec(), prepared.plan(), prepared.bodies(),
          options.progress() ? System.err : null).run();
      JsonObject report = Report.json(result, options.toJson());
      System.out.print(Report.text(report));
      if (options.report() != null) {
        Files.writeString(options.report(), report.encodePrettily() + "\n");
      }
      if (options.html() != null) {
        Files.writeString(options.html(), HtmlReport.render(report));
      }
      return report;
    } finally {
      vertx.close().await();
    }
  }

  /** A Vert.x with one event loop per driving verticle. */
  public static Vertx vertx(int verticles) {
    return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(verticles).setPreferNativeTransport(true));
  }

  public static Prepared prepare(Options o) throws Exception {
    SplittableRandom random = new SplittableRandom(o.seed());
    Corpus corpus = Corpus.load(o.corpus(), o.tokenizer());
    PromptSynthesizer synth = new PromptSynthesizer(corpus);
    CategoryPicker picker = new CategoryPicker(o.mix());
    picker.check(corpus);
    if (o.trace() != null) {
      List<AzureTrace.Row> rows = AzureTrace.read(o.trace());
      double scale = o.rate() > 0 ? ArrivalPlan.timeScaleForRate(rows, o.rate()) : o.timeScale();
      ArrivalPlan plan = ArrivalPlan.trace(rows, scale, o.warmupNanos() + o.durationNanos());
      int used = 0;
      for (int t : plan.template()) {
        used = Math.max(used, t + 1);
      }
      Buffer[] bodies = new Buffer[used];
      long tokens = 0;
      for (int r = 0; r < used; r++) {
        AzureTrace.Row row = rows.get(r);
        PromptSynthesizer.Prompt prompt = synth.synthesize(picker.pick(random), Math.max(1, row.contextTokens()), random);
        int maxTokens = o.maxTokensSet() ? o.maxTokens() : Math.max(1, row.generatedTokens());
        bodies[r] = Buffer.buffer(ChatBody.encode(o.model(), prompt.utf8(), maxTokens, o.stream()));
        tokens += prompt.tokens();
      }
      return new Prepared(plan, bodies, tokens);
    }
    Buffer[] bodies = new Buffer[o.bodies()];
    long tokens = 0;
    for (int i = 0; i < bodies.length; i++) {
      PromptSynthesizer.Prompt prompt = synth.synthesize(picker.pick(random), o.promptTokens(), random);
      bodies[i] = Buffer.buffer(ChatBody.encode(o.model(), prompt.utf8(), o.maxTokens(), o.stream()));
      tokens += prompt.tokens();
    }
    return new Prepared(schedule(o.arrival(), o.rate(), o.warmupNanos(), o.durationNanos(), bodies.length,
        o.seed(), o.closed() > 0), bodies, tokens);
  }

  /** A constant or Poisson schedule whose warm-up ramps up to the rate (empty for a closed loop). */
  public static ArrivalPlan schedule(String arrival, double rate, long warmupNanos, long durationNanos, int templates,
      long seed, boolean closedLoop) {
    if (closedLoop) {
      return new ArrivalPlan(new long[0], new int[0]);
    }
    long length = ArrivalPlan.rampedLength(warmupNanos, durationNanos);
    ArrivalPlan plan = arrival.equals("poisson") ? ArrivalPlan.poisson(rate, length, templates, seed)
        : ArrivalPlan.constant(rate, length, templates);
    return plan.rampWarmup(warmupNanos);
  }

  /** Parses the command line; returns null for --help. */
  public static Options parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          return null;
        }
        case "--stream", "--progress", "--no-progress", "--pacer" -> flags.add(a);
        default -> {
          if (!a.startsWith("--") || i + 1 >= args.length) {
            throw new IllegalArgumentException("unexpected argument " + a);
          }
          v.put(a.substring(2), args[++i]);
        }
      }
    }
    String target = v.remove("target");
    if (target == null) {
      throw new IllegalArgumentException("--target is required");
    }
    double rate = Double.parseDouble(v.getOrDefault("rate", "0"));
    String traceFile = v.remove("trace");
    int closed = Integer.parseInt(v.getOrDefault("closed", "0"));
    if (traceFile == null && closed <= 0 && !(rate > 0)) {
      throw new IllegalArgumentException("give --rate R, --trace FILE or --closed N");
    }
    if (v.containsKey("time-scale") && v.containsKey("rate") && traceFile != null) {
      throw new IllegalArgumentException("--time-scale and --rate both rescale the trace; give one");
    }
    String arrival = v.getOrDefault("arrival", "constant");
    if (!arrival.equals("constant") && !arrival.equals("poisson")) {
      throw new IllegalArgumentException("--arrival must be constant or poisson");
    }
    Map<String, Double> mix = parseMix(v.getOrDefault("mix", DEFAULT_MIX));
    int cores = Runtime.getRuntime().availableProcessors();
    Options o = new Options(
        URI.create(target), rate, arrival, traceFile == null ? null : Path.of(traceFile),
        Double.parseDouble(v.getOrDefault("time-scale", "1")), closed,
        parseDuration(v.getOrDefault("duration", DEFAULT_DURATION)), parseDuration(v.getOrDefault("warmup", "0s")),
        flags.contains("--stream"), Integer.parseInt(v.getOrDefault("prompt-tokens", Integer.toString(DEFAULT_PROMPT_TOKENS))), mix,
        Integer.parseInt(v.getOrDefault("max-tokens", Integer.toString(DEFAULT_MAX_TOKENS))), v.containsKey("max-tokens"),
        Integer.parseInt(v.getOrDefault("max-inflight", Integer.toString(LoadSpec.DEFAULT_MAX_INFLIGHT))),
        Integer.parseInt(v.getOrDefault("connections", Integer.toString(LoadSpec.DEFAULT_CONNECTIONS))),
        Integer.parseInt(v.getOrDefault("verticles", Integer.toString(cores))),
        Double.parseDouble(v.getOrDefault("slo-ttft", "0")),
        TimeUnit.NANOSECONDS.toMillis(parseDuration(v.getOrDefault("timeout", DEFAULT_TIMEOUT))),
        v.containsKey("report") ? Path.of(v.get("report")) : null,
        v.containsKey("html") ? Path.of(v.get("html")) : null,
        Long.parseLong(v.getOrDefault("seed", "1")), v.getOrDefault("model", DEFAULT_MODEL), v.containsKey("model"),
        Corpus.Tokenizer.parse(v.getOrDefault("tokenizer", DEFAULT_TOKENIZER)),
        Integer.parseInt(v.getOrDefault("bodies", Integer.toString(DEFAULT_BODIES))),
        v.containsKey("corpus") ? Path.of(v.get("corpus")) : Corpus.defaultDir(),
        flags.contains("--progress") || (!flags.contains("--no-progress") && System.console() != null),
        flags.contains("--pacer"));
    for (String known : List.of("rate", "closed", "time-scale", "arrival", "mix", "duration", "warmup",
        "prompt-tokens", "max-tokens", "max-inflight", "connections", "verticles", "slo-ttft", "timeout", "report",
        "html", "seed", "model", "tokenizer", "bodies", "corpus")) {
      v.remove(known);
    }
    if (!v.isEmpty()) {
      throw new IllegalArgumentException("unknown option --" + v.keySet().iterator().next());
    }
    return o;
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
      double w = kv.length > 1 ? Double.parseDouble(kv[1]) : 1.0;
      if (!(w > 0)) {
        throw new IllegalArgumentException("mix weight must be > 0: " + part);
      }
      mix.put(kv[0].strip(), w);
    }
    return mix;
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
