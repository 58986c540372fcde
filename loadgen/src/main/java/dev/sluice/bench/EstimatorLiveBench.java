package dev.sluice.bench;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.Dispatcher;
import dev.sluice.dispatcher.DispatcherHooks;
import dev.sluice.dispatcher.config.EstimatorSettings;
import dev.sluice.dispatcher.NodeConfig;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.CalibratingEstimator;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.FixedRatioEstimator;
import dev.sluice.dispatcher.exact.ExactCountMeters;
import dev.sluice.dispatcher.exact.TokenizeClient;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.relay.ResponseTaps;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import dev.sluice.mock.VllmVersion;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench estimator}: the estimator live, over HTTP. Dispatcher nodes run in-process in front
 * of mock vLLM pools (instant timing) that count prompt tokens with a real vocabulary (cl100k, then
 * o200k). Every figure compares {@code x-sluice-prompt-estimate} and {@code x-sluice-budget} with the
 * {@code usage.prompt_tokens} the pool returned. Three estimators: Sluice's calibration, a fixed 4.0
 * bytes/token, and the paper's plain EMA without intercept.
 *
 * <p>Options: {@code --requests N} (prompts per category, default 600; the trace part sends 5 N per trace),
 * {@code --seed S}, {@code --vllm-version current|0.11} (the mocks' length refusals: current vLLM's "at least
 * n input tokens", a bound, or v0.11's exact count, which Sluice takes as a calibration sample).
 */
public final class EstimatorLiveBench {
  static final int WARM_UP = 200;
  static final int ROLLING = 20;
  static final double CONVERGED = 0.10;
  static final int[] THRESHOLDS = {2048, 4096, 8192};
  static final int LONG_CONTEXT = 65536;
  static final int TRACE_CONCURRENCY = 4;
  static final String MODEL = "sluice-bench-model";
  static final List<ContentCategory> CATEGORIES = List.of(ContentCategory.PROSE, ContentCategory.CJK,
      ContentCategory.CODE, ContentCategory.JSON, ContentCategory.MIXED);

  /** A corpus chunk: its text, the category of its file, its chunk set, and its true counts. */
  private record Chunk(String file, String text, ContentCategory category, boolean big, int cl100k, int o200k) {
    int tokens(PromptCounter.Mode mode) {
      return mode == PromptCounter.Mode.O200K ? o200k : cl100k;
    }
  }

  /** What one request came back with. */
  private record Result(int status, int estimate, int budget, String pool, int actual) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(64));
  private final io.vertx.core.Context clientContext = vertx.getOrCreateContext();
  /**
   * One estimator under test: its hooks, its {@code estimator:} settings, and whether it only matters for
   * routing (the exact count changes no estimate, so it is left out of the per-category errors).
   */
  private record Candidate(Function<DispatcherMetrics, DispatcherHooks> hooks, EstimatorSettings settings,
      boolean routingOnly) {
  }

  private final Map<String, Candidate> estimators = new LinkedHashMap<>();
  /** Calibration samples each node's estimator was given: one per usage read or exact count, plus refusals. */
  private final Map<Dispatcher, LongAdder> observed = new IdentityHashMap<>();
  private VllmVersion version = VllmVersion.CURRENT;

  private EstimatorLiveBench() {
    EstimatorSettings off = EstimatorSettings.DEFAULTS.withExactCount(false);
    estimators.put("sluice classes", new Candidate(m -> DispatcherHooks.calibrating(CalibrationParams.defaults(),
        CalibratingEstimator.Model.CLASSES, m.registry()), off, false));
    estimators.put("sluice classes + exact count", new Candidate(m -> DispatcherHooks.calibrating(
        CalibrationParams.defaults(), CalibratingEstimator.Model.CLASSES, m.registry()), EstimatorSettings.DEFAULTS,
        true));
    estimators.put("sluice ratios", new Candidate(m -> DispatcherHooks.calibrating(CalibrationParams.defaults(),
        CalibratingEstimator.Model.RATIOS, m.registry()), off.withModel(CalibratingEstimator.Model.RATIOS), false));
    estimators.put("fixed 4.0", new Candidate(m -> new DispatcherHooks(new FixedRatioEstimator(4.0),
        ResponseTaps.READING_USAGE, true), off, false));
    estimators.put("paper EMA", new Candidate(m -> new DispatcherHooks(new PaperEmaEstimator(),
        ResponseTaps.READING_USAGE, true), off, false));
  }

  /** {@code ./sluice bench estimator}: its options. */
  @Command(name = "estimator", description = "Estimator live: Sluice in front of mock pools (cl100k, o200k); "
      + "errors and Azure-trace misroutes vs fixed 4.0 and the paper's EMA.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--requests", paramLabel = "N", defaultValue = "600",
        description = "prompts per category (default ${DEFAULT-VALUE}); the trace part sends 5 N per trace")
    int requests;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--vllm-version", paramLabel = "current|0.11", defaultValue = "current",
        description = "the mocks' length refusals (default ${DEFAULT-VALUE})")
    String version;

    @Override
    public Integer call() throws Exception {
      EstimatorLiveBench bench = new EstimatorLiveBench();
      bench.version = VllmVersion.named(version);
      try {
        bench.run(requests, seed);
      } finally {
        bench.vertx.close().await(5, TimeUnit.SECONDS);
      }
      return 0;
    }
  }

  private void run(int requests, long seed) throws Exception {
    List<Chunk> chunks = loadChunks();
    long t0 = System.nanoTime();
    System.out.printf(Locale.ROOT, "# estimator (live), %d prompts per category, seed %d, mocks of vLLM %s, %s%n%n",
        requests, seed, version.label(), Instant.now());
    for (PromptCounter.Mode mode : List.of(PromptCounter.Mode.CL100K, PromptCounter.Mode.O200K)) {
      perCategory(chunks, mode, requests, seed);
    }
    for (PromptCounter.Mode mode : List.of(PromptCounter.Mode.CL100K, PromptCounter.Mode.O200K)) {
      for (String trace : List.of("code", "conv")) {
        misroutes(chunks, trace, mode, 5 * requests, seed);
      }
    }
    System.out.printf(Locale.ROOT, "unreadable or cut responses: %d; wall time %.0f s%n", brokenCount.get(),
        (System.nanoTime() - t0) / 1e9);
  }

  // ---- per category ------------------------------------------------------------------------------------------

  private void perCategory(List<Chunk> chunks, PromptCounter.Mode mode, int perCategory, long seed) throws Exception {
    Random rnd = new Random(seed);
    List<Chunk> order = new ArrayList<>();
    for (ContentCategory c : CATEGORIES) {
      List<Chunk> big = chunks.stream().filter(x -> x.category() == c && x.big()).toList();
      List<Chunk> small = chunks.stream().filter(x -> x.category() == c && !x.big()).toList();
      for (int k = 0; k < perCategory; k++) {
        List<Chunk> from = k % 2 == 0 ? big : small;
        order.add(from.get(rnd.nextInt(from.size())));
      }
    }
    Collections.shuffle(order, rnd);
    List<String> files = order.stream().map(Chunk::file).distinct().sorted().toList();
    Map<String, String> perFile = new LinkedHashMap<>();
    int shortPort = mock(8192, mode);
    int longPort = mock(LONG_CONTEXT, mode);
    System.out.printf(Locale.ROOT, "## Per category, %s: %d requests in one random order (half ~4 KiB chunks, half "
        + "<512 B chunks of the category's corpus files), errors after %d warm-up samples per category%n%n",
        mode.name().toLowerCase(Locale.ROOT), order.size(), WARM_UP);
    System.out.println("| category | estimator | MAPE ~4 KiB | MAPE <512 B | p95 error | samples to converge (rolling "
        + ROLLING + " ≤ 10%) |");
    System.out.println("|---|---|---|---|---|---|");
    Map<String, Map<ContentCategory, String>> rows = new LinkedHashMap<>();
    for (Map.Entry<String, Candidate> e : estimators.entrySet()) {
      if (e.getValue().routingOnly()) {
        continue;
      }
      Dispatcher node = node(e.getValue(), 8192, shortPort, longPort);
      Map<ContentCategory, List<double[]>> errors = new EnumMap<>(ContentCategory.class);
      try {
        for (Chunk c : order) {
          Result r = post(node.port(), chat(c.text(), 1));
          double err = r.status() == 200 ? Math.abs(r.estimate() - r.actual()) / (double) r.actual() : Double.NaN;
          errors.computeIfAbsent(c.category(), k -> new ArrayList<>())
              .add(new double[] {err, c.big() ? 1 : 0, files.indexOf(c.file())});
        }
      } finally {
        node.stop().await(10, TimeUnit.SECONDS);
      }
      for (ContentCategory c : CATEGORIES) {
        rows.computeIfAbsent(c.id() + "|" + e.getKey(), k -> new EnumMap<>(ContentCategory.class))
            .put(c, summary(errors.get(c)));
        List<double[]> measured = errors.get(c).subList(Math.min(WARM_UP, errors.get(c).size()), errors.get(c).size());
        for (int f = 0; f < files.size(); f++) {
          int fi = f;
          List<double[]> mine = measured.stream().filter(x -> x[2] == fi).toList();
          if (!mine.isEmpty()) {
            perFile.put(files.get(f) + " | " + c.id() + " | " + e.getKey(), mape(mine, 1) + " | " + mape(mine, 0));
          }
        }
      }
    }
    for (ContentCategory c : CATEGORIES) {
      for (String est : estimators.keySet()) {
        if (rows.containsKey(c.id() + "|" + est)) {
          System.out.printf(Locale.ROOT, "| %s | %s | %s |%n", c.id(), est, rows.get(c.id() + "|" + est).get(c));
        }
      }
    }
    System.out.println();
    System.out.println("The same runs by corpus file (after the category's warm-up):");
    System.out.println();
    System.out.println("| file | category | estimator | MAPE ~4 KiB | MAPE <512 B |");
    System.out.println("|---|---|---|---|---|");
    new java.util.TreeMap<>(perFile).forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
    System.out.println();
  }

  private static String mape(List<double[]> samples, int big) {
    return pct(samples.stream().filter(x -> x[1] == big && !Double.isNaN(x[0])).mapToDouble(x -> x[0]).average()
        .orElse(Double.NaN));
  }

  private static String summary(List<double[]> samples) {
    double[] sum = new double[2];
    int[] n = new int[2];
    List<Double> after = new ArrayList<>();
    for (int k = WARM_UP; k < samples.size(); k++) {
      double[] s = samples.get(k);
      if (Double.isNaN(s[0])) {
        continue;
      }
      int bucket = s[1] == 1 ? 0 : 1;
      sum[bucket] += s[0];
      n[bucket]++;
      after.add(s[0]);
    }
    Collections.sort(after);
    double p95 = after.isEmpty() ? Double.NaN : after.get((int) Math.floor(0.95 * (after.size() - 1)));
    return pct(sum[0] / n[0]) + " | " + pct(sum[1] / n[1]) + " | " + pct(p95) + " | " + convergedAt(samples);
  }

  /** The first sample count after which the mean error of the last {@value #ROLLING} samples stays ≤ 10%. */
  private static String convergedAt(List<double[]> samples) {
    int last = samples.size();
    double window = 0;
    int since = -1;
    for (int k = 0; k < last; k++) {
      window += errorOrOne(samples.get(k)[0]);
      if (k >= ROLLING) {
        window -= errorOrOne(samples.get(k - ROLLING)[0]);
      }
      if (k >= ROLLING - 1) {
        boolean ok = window / ROLLING <= CONVERGED;
        if (ok && since < 0) {
          since = k + 1;
        } else if (!ok) {
          since = -1;
        }
      }
    }
    return since < 0 ? "not within " + last : Integer.toString(since);
  }

  /** A failed request counts as a 100% error while converging. */
  private static double errorOrOne(double e) {
    return Double.isNaN(e) ? 1.0 : e;
  }

  // ---- misroutes on the Azure traces -------------------------------------------------------------------------

  /** Category mix assumed for each trace (the traces do not record content); estimator-offline uses it too. */
  static Map<ContentCategory, Double> traceMix(String trace) {
    Map<ContentCategory, Double> m = new EnumMap<>(ContentCategory.class);
    if (trace.equals("code")) {
      m.put(ContentCategory.CODE, 0.6);
      m.put(ContentCategory.JSON, 0.2);
      m.put(ContentCategory.PROSE, 0.2);
    } else {
      m.put(ContentCategory.PROSE, 0.6);
      m.put(ContentCategory.CJK, 0.15);
      m.put(ContentCategory.MIXED, 0.1);
      m.put(ContentCategory.JSON, 0.15);
    }
    return m;
  }

  private record TraceRequest(String prompt, int intended, int maxTokens) {
  }

  private void misroutes(List<Chunk> chunks, String trace, PromptCounter.Mode mode, int count, long seed)
      throws Exception {
    List<String> rows = Files.readAllLines(EstimatorOfflineBench.shared()
        .resolve("data/azure/AzureLLMInferenceTrace_" + trace + ".csv"));
    Map<ContentCategory, List<Chunk>> small = new EnumMap<>(ContentCategory.class);
    for (Chunk c : chunks) {
      if (!c.big()) {
        small.computeIfAbsent(c.category(), k -> new ArrayList<>()).add(c);
      }
    }
    Map<ContentCategory, Double> mix = traceMix(trace);
    Random rnd = new Random(seed * 131 + trace.hashCode());
    List<TraceRequest> reqs = new ArrayList<>();
    for (int i = 1; i < rows.size() && reqs.size() < count; i++) {
      String[] f = rows.get(i).split(",");
      int target = Integer.parseInt(f[1].trim());
      int gen = Math.max(1, Integer.parseInt(f[2].trim()));
      double u = rnd.nextDouble();
      ContentCategory cat = null;
      for (Map.Entry<ContentCategory, Double> e : mix.entrySet()) {
        cat = e.getKey();
        u -= e.getValue();
        if (u < 0) {
          break;
        }
      }
      List<Chunk> pool = small.get(cat);
      StringBuilder text = new StringBuilder();
      int tokens = EstimatorOfflineBench.TEMPLATE_TOKENS;
      do {
        Chunk ch = pool.get(rnd.nextInt(pool.size()));
        text.append(ch.text());
        tokens += ch.tokens(mode);
      } while (tokens < target);
      reqs.add(new TraceRequest(text.toString(), tokens, gen));
    }
    int longPort = mock(LONG_CONTEXT, mode);
    int[] shortPorts = new int[THRESHOLDS.length];
    for (int t = 0; t < THRESHOLDS.length; t++) {
      shortPorts[t] = mock(THRESHOLDS[t], mode);
    }
    System.out.printf(Locale.ROOT, "## Misroutes on the Azure %s trace, %s: first %d requests, prompts built from "
            + "<512 B corpus chunks up to ContextTokens (true counts), max_tokens = GeneratedTokens, mix %s; one node "
            + "per threshold (short = threshold, long = %d), %d requests in flight%n%n", trace,
        mode.name().toLowerCase(Locale.ROOT), reqs.size(), mix, LONG_CONTEXT, TRACE_CONCURRENCY);
    System.out.println("| estimator | threshold | short-eligible | eligible sent long | too long sent short (retried) "
        + "| retried and served by long | client-visible context errors (fit the largest pool) "
        + "| counted by /tokenize (timed out, failed, busy) | count latency p50 / p99 "
        + "| calibration samples from refusals |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Map.Entry<String, Candidate> e : estimators.entrySet()) {
      Dispatcher[] nodes = new Dispatcher[THRESHOLDS.length];
      for (int t = 0; t < THRESHOLDS.length; t++) {
        nodes[t] = node(e.getValue(), THRESHOLDS[t], shortPorts[t], longPort);
      }
      Result[][] results = new Result[THRESHOLDS.length][reqs.size()];
      String[] counts = new String[THRESHOLDS.length];
      try {
        AtomicInteger next = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(TRACE_CONCURRENCY);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int w = 0; w < TRACE_CONCURRENCY; w++) {
          done.add(workers.submit(() -> {
            for (int i = next.getAndIncrement(); i < reqs.size(); i = next.getAndIncrement()) {
              TraceRequest r = reqs.get(i);
              JsonObject body = chat(r.prompt(), r.maxTokens());
              List<Future<Result>> all = new ArrayList<>();
              for (Dispatcher node : nodes) {
                all.add(send(node.port(), body));
              }
              Future.all(all).await();
              for (int t = 0; t < nodes.length; t++) {
                results[t][i] = all.get(t).result();
              }
            }
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
        workers.shutdown();
        for (int t = 0; t < THRESHOLDS.length; t++) {
          counts[t] = exactCounts(nodes[t].exactCounter().meters(), reqs.size());
        }
      } finally {
        for (Dispatcher node : nodes) {
          node.stop().await(10, TimeUnit.SECONDS);
        }
      }
      for (int t = 0; t < THRESHOLDS.length; t++) {
        int threshold = THRESHOLDS[t];
        int eligible = 0;
        int over = 0;
        int tooLong = 0;
        int under = 0;
        int recovered = 0;
        int visible = 0;
        int served = 0;
        for (int i = 0; i < reqs.size(); i++) {
          Result r = results[t][i];
          served += r.status() == 200 ? 1 : 0;
          TraceRequest q = reqs.get(i);
          int prompt = r.status() == 200 ? r.actual() : q.intended();
          boolean fits = prompt + q.maxTokens() <= threshold;
          boolean routedShort = r.budget() <= threshold;
          if (fits) {
            eligible++;
            over += routedShort ? 0 : 1;
          } else {
            tooLong++;
            if (routedShort) {
              under++;
              recovered += r.status() == 200 && "long".equals(r.pool()) ? 1 : 0;
            }
          }
          if (r.status() != 200 && prompt + q.maxTokens() <= LONG_CONTEXT) {
            visible++;
          }
        }
        // every 200 gave one sample, from its usage or its exact count; the rest came from refusals the node retried
        long samples = observed.get(nodes[t]).sum();
        long fromRefusals = samples - served;
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %s (%d) | %s (%d of %d) | %d | %d | %s | %d of %d (%s) |%n",
            e.getKey(), threshold, eligible, pct(over / (double) eligible), over, pct(under / (double) tooLong), under,
            tooLong, recovered, visible, counts[t], fromRefusals, samples, pct(fromRefusals / (double) samples));
      }
    }
    System.out.println();
  }

  /** The share of requests counted by a pool's tokenizer, the ones that asked in vain, and the wait of the counted. */
  private static String exactCounts(ExactCountMeters m, int requests) {
    long counted = m.countedTotal();
    if (counted + m.failedTotal(TokenizeClient.Reason.TIMEOUT) + m.failedTotal(TokenizeClient.Reason.ERROR)
        + m.failedTotal(TokenizeClient.Reason.BUSY) == 0) {
      return "– | –";
    }
    double[] p = new double[2];
    for (ValueAtPercentile v : m.latency().takeSnapshot().percentileValues()) {
      p[v.percentile() < 0.9 ? 0 : 1] = v.value(TimeUnit.MILLISECONDS);
    }
    return String.format(Locale.ROOT, "%s (%d, %d, %d) | %.2f / %.2f ms", pct(counted / (double) requests),
        m.failedTotal(TokenizeClient.Reason.TIMEOUT), m.failedTotal(TokenizeClient.Reason.ERROR),
        m.failedTotal(TokenizeClient.Reason.BUSY), p[0], p[1]);
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  private int mock(int maxModelLen, PromptCounter.Mode mode) {
    PoolShape shape = new PoolShape("bench", maxModelLen, 1024, 1 << 22, 1 << 16, PoolShape.DEFAULT_BLOCK_SIZE);
    MockVllm mock = new MockVllm(MockConfig.of(shape, CostModel.INSTANT, mode).withModel(MODEL)
        .withApi(MockConfig.Api.CURRENT.withVersion(version)));
    vertx.deployVerticle(mock).await();
    return mock.actualPort();
  }

  private Dispatcher node(Candidate candidate, int shortContext, int shortPort, int longPort) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    DispatcherHooks h = candidate.hooks().apply(metrics);
    LongAdder samples = new LongAdder();
    Estimator counted = new Estimator() {
      @Override
      public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
        return h.estimator().estimate(facts, categoryOverride, defaultReserve);
      }

      @Override
      public void observe(Budget budget, int actualPromptTokens) {
        samples.increment();
        h.estimator().observe(budget, actualPromptTokens);
      }
    };
    Dispatcher node = Dispatcher.start(vertx, NodeConfig.load(new String[] {"--host", "127.0.0.1", "--port", "0",
            "--pool", "short=" + shortContext + "@http://127.0.0.1:" + shortPort,
            "--pool", "long=" + LONG_CONTEXT + "@http://127.0.0.1:" + longPort}, Map.of()).dispatcher()
            .withEstimator(candidate.settings()),
        new DispatcherHooks(counted, h.taps(), h.askUpstreamForUsage(), h.calibration()), metrics, 2).await();
    observed.put(node, samples);
    return node;
  }

  private static JsonObject chat(String text, int maxTokens) {
    return new JsonObject().put("model", MODEL).put("max_tokens", maxTokens)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private Result post(int port, JsonObject body) {
    return send(port, body).await();
  }

  /** Requests start on an event-loop context, so each response's handlers are set before its data arrives. */
  private Future<Result> send(int port, JsonObject body) {
    io.vertx.core.Promise<Result> result = io.vertx.core.Promise.promise();
    clientContext.runOnContext(v -> sendOnContext(port, body).onComplete(result));
    return result.future();
  }

  private Future<Result> sendOnContext(int port, JsonObject body) {
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/v1/chat/completions"))
        .compose(req -> {
          req.headers().set("content-type", "application/json");
          return req.send(body.toBuffer());
        })
        .compose(resp -> resp.body().map(b -> {
          int status = resp.statusCode();
          int actual = 0;
          if (status == 200) {
            try {
              actual = new JsonObject(b).getJsonObject("usage").getInteger("prompt_tokens");
            } catch (RuntimeException e) {
              broken(status, resp.headers().toString(), b.toString());
              status = BROKEN;
            }
          }
          return new Result(status, intHeader(resp.getHeader("x-sluice-prompt-estimate")),
              intHeader(resp.getHeader("x-sluice-budget")), resp.getHeader("x-sluice-pool"), actual);
        }))
        .recover(err -> {
          broken(0, "", String.valueOf(err));
          return Future.succeededFuture(new Result(BROKEN, -1, -1, null, 0));
        });
  }

  /** Status recorded for a response that was cut or unreadable. */
  static final int BROKEN = -1;
  private final AtomicInteger brokenCount = new AtomicInteger();

  private void broken(int status, String headers, String body) {
    if (brokenCount.getAndIncrement() < 3) {
      System.err.println("unreadable response: status " + status + " headers " + headers.replace('\n', ' ')
          + " body '" + (body.length() > 300 ? body.substring(0, 300) : body) + "'");
    }
  }

  private static int intHeader(String v) {
    return v == null ? -1 : Integer.parseInt(v);
  }

  private static List<Chunk> loadChunks() throws Exception {
    Path corpus = EstimatorOfflineBench.shared().resolve("data/corpus");
    List<String> lines = Files.readAllLines(corpus.resolve("chunk_tokens.tsv"), StandardCharsets.UTF_8);
    List<String> h = Arrays.asList(lines.get(0).split("\t"));
    int set = h.indexOf("chunk_set");
    int source = h.indexOf("source");
    int offset = h.indexOf("byte_offset");
    int length = h.indexOf("byte_length");
    int cl = h.indexOf("tokens_cl100k");
    int o2 = h.indexOf("tokens_o200k");
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<Chunk> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      if (!f[set].equals("4096") && !f[set].equals("512")) {
        continue;
      }
      byte[] file = files.computeIfAbsent(f[source], name -> {
        try {
          return Files.readAllBytes(corpus.resolve(name));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      String text = new String(file, Integer.parseInt(f[offset]), Integer.parseInt(f[length]), StandardCharsets.UTF_8);
      out.add(new Chunk(f[source], text, ContentCategory.ofCorpusFile(f[source]), f[set].equals("4096"),
          Integer.parseInt(f[cl]), Integer.parseInt(f[o2])));
    }
    return out;
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }
}
