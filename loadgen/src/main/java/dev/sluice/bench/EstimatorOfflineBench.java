package dev.sluice.bench;

import dev.sluice.calibration.ByteClass;
import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ClassCounts;
import dev.sluice.calibration.ClassParams;
import dev.sluice.calibration.ClassTable;
import dev.sluice.calibration.ClassView;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.exact.StraddleRule;
import dev.sluice.dispatcher.route.PoolRouter;
import dev.sluice.dispatcher.scan.TextFeatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./sluice bench estimator-offline}: replays the corpus's true token counts through the estimators (a
 * fixed 4.0 bytes/token, the paper's plain EMA without intercept, Sluice's per-category ratios and Sluice's
 * byte-class regression) and reports prediction errors; held out by file, the regression's error on text
 * it never learned from; on the Azure traces, misroutes in both directions at several short-pool sizes, with
 * and without the exact count at the boundary. No network, no tokenizer: sizes and counts come from
 * {@code chunk_tokens.tsv}, the byte classes from the scanner's own counter run over each chunk's text.
 *
 * <p>Each request is predicted first and observed after (prequential), as in production where the count
 * arrives with the response.
 */
public final class EstimatorOfflineBench {

  /** Chat-template tokens added to each prompt (Llama 3, one user turn). */
  static final int TEMPLATE_TOKENS = 10;
  static final int WARM_UP = 200;
  static final int REQUESTS_PER_FILE = 800;
  static final int[] THRESHOLDS = {2048, 4096, 8192};
  static final int LONG_CONTEXT = 65536;
  /** Samples learned from the other files before a held-out file is measured. */
  static final int HELD_OUT_SAMPLES = 200;
  static final int HELD_OUT_SEEDS = 5;

  /** The token counts of the corpus, by vocabulary. */
  enum Vocabulary {
    LLAMA3("tokens_llama3"), CL100K("tokens_cl100k"), O200K("tokens_o200k");

    final String column;

    Vocabulary(String column) {
      this.column = column;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A corpus chunk: its set, file, bytes, byte-class counts, and its true counts in each vocabulary. */
  record Chunk(String set, String file, long bytes, long[] counts, int[] tokens) {
    int tokens(Vocabulary v) {
      return tokens[v.ordinal()];
    }

    ContentCategory category() {
      return ContentCategory.ofCorpusFile(file);
    }
  }

  /** What an estimator sees of a request: its category (the corpus label), bytes and byte-class counts. */
  record Sample(ContentCategory category, long bytes, long[] counts) implements ClassCounts {
    @Override
    public long count(ByteClass c) {
      return counts[c.ordinal()];
    }

    static Sample of(Chunk c) {
      return new Sample(c.category(), c.bytes(), c.counts());
    }
  }

  /** One estimator under test: predicts the unbiased, optimistic and routing prompt tokens, learns from counts. */
  interface Candidate {
    int predict(Sample s);

    int routing(Sample s);

    /** The lower edge of the estimate's band; the unbiased estimate when the estimator has no band. */
    default int low(Sample s) {
      return predict(s);
    }

    void observe(Sample s, int actual);
  }

  /** What other routers do: a constant 4 bytes per token. */
  static final class Fixed implements Candidate {
    @Override
    public int predict(Sample s) {
      return (int) Math.ceil(s.bytes() / 4.0);
    }

    @Override
    public int routing(Sample s) {
      return predict(s);
    }

    @Override
    public void observe(Sample s, int actual) {
    }
  }

  /**
   * The paper's published calibrator: prior 4.0 until 10 samples; the first sample sets the mean and
   * the conservative ratio; mean EMA with decay 0.995; the conservative ratio steps 0.9 of the way down
   * and 0.1 up; the observed ratio is bytes / prompt tokens, with no intercept.
   */
  static final class PaperEma implements Candidate {
    private final double[] mean = new double[ContentCategory.count()];
    private final double[] low = new double[ContentCategory.count()];
    private final int[] n = new int[ContentCategory.count()];

    @Override
    public int predict(Sample s) {
      int i = s.category().ordinal();
      return (int) Math.max(1, Math.ceil(s.bytes() / (n[i] >= 10 ? mean[i] : 4.0)));
    }

    @Override
    public int routing(Sample s) {
      int i = s.category().ordinal();
      return (int) Math.max(1, Math.ceil(s.bytes() / (n[i] >= 10 ? low[i] : 4.0)));
    }

    @Override
    public void observe(Sample s, int actual) {
      int i = s.category().ordinal();
      double obs = s.bytes() / (double) actual;
      if (n[i]++ == 0) {
        mean[i] = obs;
        low[i] = obs;
        return;
      }
      mean[i] = 0.995 * mean[i] + 0.005 * obs;
      low[i] += (obs < low[i] ? 0.9 : 0.1) * (obs - low[i]);
    }
  }

  /** Sluice's per-category ratios ({@code estimator.model: ratios}), as the dispatcher's estimator uses them. */
  static final class Ratios implements Candidate {
    private final CalibrationTable table;

    Ratios(CalibrationParams params) {
      table = new CalibrationTable(params);
    }

    @Override
    public int predict(Sample s) {
      return table.view("m", s.category()).promptTokens(s.bytes());
    }

    @Override
    public int routing(Sample s) {
      return table.view("m", s.category()).routingTokens(s.bytes());
    }

    @Override
    public void observe(Sample s, int actual) {
      table.observe("m", s.category(), s.bytes(), actual);
    }
  }

  /** Sluice's byte-class regression ({@code estimator.model: classes}), the dispatcher's default. */
  static final class Classes implements Candidate {
    private final ClassTable table;

    Classes(ClassParams params) {
      table = new ClassTable(params);
    }

    @Override
    public int predict(Sample s) {
      return ClassView.ceil(table.view("m").tokens(s, s.bytes()));
    }

    @Override
    public int routing(Sample s) {
      ClassView v = table.view("m");
      return ClassView.ceil(v.upper(v.tokens(s, s.bytes())));
    }

    @Override
    public int low(Sample s) {
      ClassView v = table.view("m");
      return ClassView.ceil(v.lower(v.tokens(s, s.bytes())));
    }

    @Override
    public void observe(Sample s, int actual) {
      table.observe("m", s, s.bytes(), actual);
    }
  }

  private EstimatorOfflineBench() {
  }

  static Path shared() {
    String p = System.getProperty("sluice.shared");
    if (p != null) {
      return Path.of(p);
    }
    String home = System.getProperty("sluice.home", ".");
    return Path.of(home).resolve("../shared").normalize();
  }

  /** Every chunk of the 4 KiB, 512 B and MT-Bench sets, with the scanner's counts of its text. */
  static List<Chunk> loadChunks() throws IOException {
    Path data = shared().resolve("data");
    List<String> lines = Files.readAllLines(data.resolve("corpus/chunk_tokens.tsv"), StandardCharsets.UTF_8);
    List<String> h = Arrays.asList(lines.get(0).split("\t"));
    int set = h.indexOf("chunk_set");
    int source = h.indexOf("source");
    int offset = h.indexOf("byte_offset");
    int len = h.indexOf("byte_length");
    List<String> natural = Files.readAllLines(data.resolve("prompts/mt_bench_question.jsonl"), StandardCharsets.UTF_8);
    Map<String, byte[]> files = new TreeMap<>();
    List<Chunk> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      String text;
      String file = f[h.indexOf("category")];
      if (f[set].equals("natural")) {
        // the source names the prompt's line: ...jsonl#line<N>.turns[0]
        int n = Integer.parseInt(f[source].replaceAll(".*#line(\\d+)\\..*", "$1"));
        text = new io.vertx.core.json.JsonObject(natural.get(n - 1)).getJsonArray("turns").getString(0);
      } else {
        byte[] bytes = files.computeIfAbsent(f[source], name -> read(data.resolve("corpus").resolve(name)));
        text = new String(bytes, Integer.parseInt(f[offset]), Integer.parseInt(f[len]), StandardCharsets.UTF_8);
      }
      int[] tokens = new int[Vocabulary.values().length];
      for (Vocabulary v : Vocabulary.values()) {
        tokens[v.ordinal()] = Integer.parseInt(f[h.indexOf(v.column)]);
      }
      out.add(new Chunk(f[set], file, Long.parseLong(f[len]), counts(TextFeatures.of(text)), tokens));
    }
    return out;
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long[] counts(ClassCounts c) {
    long[] out = new long[ByteClass.count()];
    for (ByteClass b : ByteClass.values()) {
      out[b.ordinal()] = c.count(b);
    }
    return out;
  }

  /** {@code ./sluice bench estimator-offline [SEED]}. */
  @Command(name = "estimator-offline", description = "Estimator accuracy and misroutes, replayed from the corpus "
      + "and Azure traces.")
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "SEED", arity = "0..1", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
      EstimatorOfflineBench.run(seed);
      return 0;
    }
  }

  static void run(long seed) throws IOException {
    List<Chunk> chunks = loadChunks();
    System.out.printf(Locale.ROOT, "# estimator-offline, seed %d, %s (UTC)%n%n", seed, LocalDate.now(ZoneOffset.UTC));
    for (Vocabulary v : List.of(Vocabulary.CL100K, Vocabulary.O200K)) {
      heldOutByFile(chunks, v, seed);
    }
    Map<String, Supplier<Candidate>> candidates = new LinkedHashMap<>();
    candidates.put("fixed 4.0", Fixed::new);
    candidates.put("paper EMA", PaperEma::new);
    candidates.put("sluice ratios", () -> new Ratios(CalibrationParams.defaults()));
    candidates.put("sluice classes", () -> new Classes(ClassParams.defaults()));
    perFile(chunks, candidates, seed);
    mixedTraffic(chunks, candidates, seed);
    for (Vocabulary v : List.of(Vocabulary.CL100K, Vocabulary.O200K)) {
      for (String trace : List.of("code", "conv")) {
        misroutes(chunks, v, trace, seed);
      }
    }
  }

  // ---- held out by file ------------------------------------------------------------------------------------

  /**
   * For each corpus file: a fresh estimator learns {@value #HELD_OUT_SAMPLES} samples drawn from the other
   * files' chunks (4 KiB and &lt;512 B alike), then is measured, without learning, on every chunk of the file
   * it never saw. The per-category ratios learn the same samples under their corpus labels.
   */
  private static void heldOutByFile(List<Chunk> chunks, Vocabulary v, long seed) {
    List<String> files = chunks.stream().filter(c -> !c.set().equals("natural")).map(Chunk::file).distinct().sorted()
        .toList();
    System.out.printf(Locale.ROOT, "## Held out by file, %s: %d samples from the other files, then every chunk of the "
        + "file (4 KiB and <512 B), learning nothing from it%n%n", v.label(), HELD_OUT_SAMPLES);
    System.out.println("| file | category | classes 4 KiB | classes <512 B | ratios 4 KiB | ratios <512 B "
        + "| best single ratio of the file 4 KiB / <512 B | classes over seeds 1-" + HELD_OUT_SEEDS
        + ", worst 4 KiB / <512 B |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    Map<ContentCategory, double[]> worst = new EnumMap<>(ContentCategory.class);
    for (String file : files) {
      double[] classes = heldOut(chunks, v, file, seed, () -> new Classes(ClassParams.defaults()));
      double[] ratios = heldOut(chunks, v, file, seed, () -> new Ratios(CalibrationParams.defaults()));
      double[] seeds = new double[2];
      for (long s = 1; s <= HELD_OUT_SEEDS; s++) {
        double[] e = heldOut(chunks, v, file, s, () -> new Classes(ClassParams.defaults()));
        seeds[0] = Math.max(seeds[0], e[0]);
        seeds[1] = Math.max(seeds[1], e[1]);
      }
      ContentCategory cat = ContentCategory.ofCorpusFile(file);
      double[] w = worst.computeIfAbsent(cat, k -> new double[4]);
      w[0] = Math.max(w[0], classes[0]);
      w[1] = Math.max(w[1], classes[1]);
      w[2] = Math.max(w[2], seeds[0]);
      w[3] = Math.max(w[3], seeds[1]);
      List<Chunk> own = chunks.stream().filter(c -> c.file().equals(file)).toList();
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s / %s | %s / %s |%n", file, cat.id(),
          pct(classes[0]), pct(classes[1]), pct(ratios[0]), pct(ratios[1]),
          pct(oracleMape(set(own, "4096"), v)), pct(oracleMape(set(own, "512"), v)), pct(seeds[0]), pct(seeds[1]));
    }
    System.out.println();
    System.out.println("| category | classes, worst file, 4 KiB | <512 B | over seeds 1-" + HELD_OUT_SEEDS
        + ", worst 4 KiB | <512 B |");
    System.out.println("|---|---|---|---|---|");
    worst.forEach((cat, w) -> System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", cat.id(), pct(w[0]),
        pct(w[1]), pct(w[2]), pct(w[3])));
    System.out.println();
  }

  private static List<Chunk> set(List<Chunk> chunks, String set) {
    return chunks.stream().filter(c -> c.set().equals(set)).toList();
  }

  /** MAPE on {4 KiB, <512 B} chunks of {@code file} after learning from the other files. */
  private static double[] heldOut(List<Chunk> chunks, Vocabulary v, String file, long seed,
      Supplier<Candidate> make) {
    List<Chunk> train = chunks.stream().filter(c -> !c.set().equals("natural") && !c.file().equals(file)).toList();
    Random rnd = new Random(seed * 7919 + file.hashCode());
    Candidate est = make.get();
    for (int k = 0; k < HELD_OUT_SAMPLES; k++) {
      Chunk c = train.get(rnd.nextInt(train.size()));
      est.observe(Sample.of(c), c.tokens(v) + TEMPLATE_TOKENS);
    }
    double[] sum = new double[2];
    int[] n = new int[2];
    for (Chunk c : chunks) {
      if (!c.file().equals(file)) {
        continue;
      }
      int actual = c.tokens(v) + TEMPLATE_TOKENS;
      int bucket = c.set().equals("4096") ? 0 : 1;
      sum[bucket] += Math.abs(est.predict(Sample.of(c)) - actual) / (double) actual;
      n[bucket]++;
    }
    return new double[] {div(sum[0], n[0]), div(sum[1], n[1])};
  }

  // ---- learning on one file, and on mixed traffic ----------------------------------------------------------

  /** Error statistics of one replay. */
  private record Errors(double mape4k, double mape512, double mapeNatural, double p95, int converged) {
  }

  private static Errors replay(Candidate est, List<Chunk> requests) {
    List<Double> all = new ArrayList<>();
    double[] sum = new double[3];
    int[] cnt = new int[3];
    Map<ContentCategory, List<Integer>> reference = new EnumMap<>(ContentCategory.class);
    Map<ContentCategory, Sample> probe = new EnumMap<>(ContentCategory.class);
    for (Chunk r : requests) {
      Sample s = Sample.of(r);
      if (r.set().equals("4096") || r.set().equals("concat")) {
        probe.putIfAbsent(s.category(), s);
      }
    }
    for (int k = 0; k < requests.size(); k++) {
      Chunk r = requests.get(k);
      Sample s = Sample.of(r);
      int actual = r.tokens(Vocabulary.LLAMA3) + TEMPLATE_TOKENS;
      double e = Math.abs(est.predict(s) - actual) / (double) actual;
      if (k >= WARM_UP) {
        int bucket = r.set().equals("4096") ? 0 : r.set().equals("512") ? 1 : 2;
        sum[bucket] += e;
        cnt[bucket]++;
        all.add(e);
      }
      est.observe(s, actual);
      probe.forEach((c, p) -> reference.computeIfAbsent(c, x -> new ArrayList<>()).add(est.predict(p)));
    }
    all.sort(null);
    double p95 = all.isEmpty() ? 0 : all.get((int) Math.floor(0.95 * (all.size() - 1)));
    int converged = 0;
    for (List<Integer> ref : reference.values()) {
      converged = Math.max(converged, convergedAt(ref));
    }
    return new Errors(div(sum[0], cnt[0]), div(sum[1], cnt[1]), div(sum[2], cnt[2]), p95, converged);
  }

  static final double SETTLED = 0.04;

  /**
   * Samples after which the estimate for a ~4 KiB prompt of each category stays within 4% of its value at
   * the end of the run: the estimator has found its steady state (a slow EMA may never settle within the
   * run). The slowest category is reported.
   */
  private static int convergedAt(List<Integer> reference) {
    double last = reference.get(reference.size() - 1);
    int k = reference.size();
    while (k > 0 && Math.abs(reference.get(k - 1) - last) <= SETTLED * last) {
      k--;
    }
    return k;
  }

  private static double div(double a, int b) {
    return b == 0 ? Double.NaN : a / b;
  }

  private static void perFile(List<Chunk> chunks, Map<String, Supplier<Candidate>> candidates, long seed) {
    Map<String, List<Chunk>> big = new TreeMap<>();
    Map<String, List<Chunk>> small = new TreeMap<>();
    for (Chunk c : chunks) {
      if (c.set().equals("4096")) {
        big.computeIfAbsent(c.file(), k -> new ArrayList<>()).add(c);
      } else if (c.set().equals("512")) {
        small.computeIfAbsent(c.file(), k -> new ArrayList<>()).add(c);
      }
    }
    System.out.printf(Locale.ROOT, "## Per corpus file, llama3: %d requests each, a third contiguous ~4 KiB chunks, a "
        + "third ~4 KiB concatenations of random <512 B chunks, a third single <512 B chunks; errors after %d "
        + "warm-up samples%n%n", REQUESTS_PER_FILE, WARM_UP);
    System.out.println("| file | category | estimator | MAPE 4 KiB | MAPE 4 KiB concat | MAPE <512 B | p95 error "
        + "| samples to converge | best constant ratio MAPE 4 KiB / <512 B |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String file : big.keySet()) {
      Random rnd = new Random(seed ^ file.hashCode());
      List<Chunk> reqs = new ArrayList<>();
      for (int k = 0; k < REQUESTS_PER_FILE; k++) {
        int kind = rnd.nextInt(3);
        if (kind == 2) {
          reqs.add(concatenation(small.get(file), rnd));
        } else {
          List<Chunk> pool = kind == 0 ? big.get(file) : small.get(file);
          reqs.add(pool.get(rnd.nextInt(pool.size())));
        }
      }
      String oracle = pct(oracleMape(big.get(file), Vocabulary.LLAMA3)) + " / "
          + pct(oracleMape(small.get(file), Vocabulary.LLAMA3));
      candidates.forEach((name, make) -> {
        Errors e = replay(make.get(), reqs);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d | %s |%n", file,
            ContentCategory.ofCorpusFile(file).id(), name, pct(e.mape4k()), pct(e.mapeNatural()), pct(e.mape512()),
            pct(e.p95()), e.converged(), oracle);
      });
    }
    System.out.println();
    List<Chunk> natural = chunks.stream().filter(c -> c.set().equals("natural")).toList();
    Random rnd = new Random(seed);
    List<Chunk> reqs = new ArrayList<>();
    for (int k = 0; k < REQUESTS_PER_FILE; k++) {
      reqs.add(natural.get(rnd.nextInt(natural.size())));
    }
    System.out.printf(Locale.ROOT, "Short real prompts: %d requests drawn from the 80 MT-Bench first turns (median 24 "
        + "tokens + %d template tokens), prose key; best constant ratio MAPE %s%n%n", REQUESTS_PER_FILE,
        TEMPLATE_TOKENS, pct(oracleMape(natural, Vocabulary.LLAMA3)));
    System.out.println("| estimator | MAPE | p95 error | samples to converge |");
    System.out.println("|---|---|---|---|");
    candidates.forEach((name, make) -> {
      Errors e = replay(make.get(), reqs);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %d |%n", name, pct(e.mapeNatural()), pct(e.p95()),
          e.converged());
    });
    System.out.println();
  }

  /** A ~4 KiB prompt made of random <512 B chunks of one file: bytes, counts and tokens add up across the cuts. */
  private static Chunk concatenation(List<Chunk> small, Random rnd) {
    return join("concat", small, rnd, c -> c.bytes() >= CONCAT_BYTES);
  }

  /** Chunks of {@code pool} drawn at random and joined into one prompt string until {@code done} holds. */
  private static Chunk join(String set, List<Chunk> pool, Random rnd, java.util.function.Predicate<Chunk> done) {
    long bytes = 0;
    long[] counts = new long[ByteClass.count()];
    int[] tokens = new int[Vocabulary.values().length];
    Chunk joined;
    String file = null;
    do {
      Chunk c = pool.get(rnd.nextInt(pool.size()));
      file = c.file();
      bytes += c.bytes();
      for (int i = 0; i < counts.length; i++) {
        counts[i] += c.counts()[i];
      }
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] += c.tokens()[i];
      }
      counts[ByteClass.STRINGS.ordinal()] = 1;
      joined = new Chunk(set, file, bytes, counts.clone(), tokens.clone());
    } while (!done.test(joined));
    return joined;
  }

  static final long CONCAT_BYTES = 3584;

  /** MAPE of the best single ratio for these chunks, known in hindsight: the floor for any per-category ratio. */
  private static double oracleMape(List<Chunk> rows, Vocabulary v) {
    double ratio = rows.stream().mapToLong(Chunk::bytes).sum() / (double) rows.stream().mapToLong(r -> r.tokens(v))
        .sum();
    return rows.stream().mapToDouble(r -> {
      int actual = r.tokens(v) + TEMPLATE_TOKENS;
      return Math.abs(Math.ceil(TEMPLATE_TOKENS + r.bytes() / ratio) - actual) / actual;
    }).average().orElse(Double.NaN);
  }

  private static void mixedTraffic(List<Chunk> chunks, Map<String, Supplier<Candidate>> candidates, long seed) {
    Random rnd = new Random(seed * 31 + 7);
    List<Chunk> pool = chunks.stream().filter(c -> !c.set().equals("natural")).toList();
    List<Chunk> natural = chunks.stream().filter(c -> c.set().equals("natural")).toList();
    List<Chunk> reqs = new ArrayList<>();
    for (int k = 0; k < 6000; k++) {
      reqs.add(rnd.nextInt(10) == 0 ? natural.get(rnd.nextInt(natural.size())) : pool.get(rnd.nextInt(pool.size())));
    }
    System.out.println("## Mixed traffic, llama3: 6000 requests over all files (the ratios key each by its file's "
        + "category, MT-Bench prompts as prose), 10% MT-Bench prompts; errors after " + WARM_UP + " samples");
    System.out.println();
    System.out.println("| estimator | MAPE 4 KiB | MAPE <512 B | MAPE MT-Bench prompts | p95 error | samples to converge |");
    System.out.println("|---|---|---|---|---|---|");
    candidates.forEach((name, make) -> {
      Errors e = replay(make.get(), reqs);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %d |%n", name, pct(e.mape4k()), pct(e.mape512()),
          pct(e.mapeNatural()), pct(e.p95()), e.converged());
    });
    System.out.println();
  }

  // ---- misroutes on the Azure traces -----------------------------------------------------------------------

  /** One routing policy under test on a trace. */
  private record Policy(String name, Supplier<Candidate> estimator, Band band) {
  }

  /** Which band, if any, asks the tokenizer. */
  private enum Band {
    /** No exact count: route on the conservative estimate. */
    NONE,
    /** From the unbiased to the conservative estimate. */
    UPPER,
    /** From the optimistic to the conservative estimate (Sluice's). */
    BOTH
  }

  private static void misroutes(List<Chunk> chunks, Vocabulary v, String trace, long seed) throws IOException {
    List<String> rows = Files.readAllLines(shared().resolve("data/azure/AzureLLMInferenceTrace_" + trace + ".csv"));
    Map<ContentCategory, List<Chunk>> byCat = new EnumMap<>(ContentCategory.class);
    for (Chunk c : chunks) {
      if (c.set().equals("512")) {
        byCat.computeIfAbsent(c.category(), k -> new ArrayList<>()).add(c);
      }
    }
    Map<ContentCategory, Double> mix = EstimatorLiveBench.traceMix(trace);
    Random rnd = new Random(seed * 131 + trace.hashCode());
    int n = rows.size() - 1;
    Chunk[] prompts = new Chunk[n];
    int[] gen = new int[n];
    for (int i = 0; i < n; i++) {
      String[] f = rows.get(i + 1).split(",");
      int target = Integer.parseInt(f[1].trim());
      gen[i] = Integer.parseInt(f[2].trim());
      double u = rnd.nextDouble();
      ContentCategory c = null;
      for (Map.Entry<ContentCategory, Double> e : mix.entrySet()) {
        c = e.getKey();
        u -= e.getValue();
        if (u < 0) {
          break;
        }
      }
      prompts[i] = join("trace", byCat.get(c), rnd, p -> p.tokens(v) + TEMPLATE_TOKENS >= target);
    }
    List<Policy> policies = List.of(
        new Policy("ratios (gamma 1)", () -> new Ratios(CalibrationParams.defaults()), Band.NONE),
        new Policy("classes", () -> new Classes(ClassParams.defaults()), Band.NONE),
        new Policy("classes + exact count, band unbiased..conservative", () -> new Classes(ClassParams.defaults()),
            Band.UPPER),
        new Policy("classes + exact count, band optimistic..conservative (Sluice)",
            () -> new Classes(ClassParams.defaults()), Band.BOTH));
    System.out.printf(Locale.ROOT, "## Misroutes on the Azure %s trace, %s (%d requests; prompts of <512 B corpus chunks "
        + "up to ContextTokens, max_tokens = GeneratedTokens, mix %s; every request's true count is fed back)%n%n",
        trace, v.label(), n, mix);
    System.out.println("| policy | threshold | short-eligible | eligible sent long | too long sent short (retried) "
        + "| requests counted exactly |");
    System.out.println("|---|---|---|---|---|---|");
    for (int threshold : THRESHOLDS) {
      PoolRouter router = new PoolRouter(new int[] {threshold, LONG_CONTEXT});
      for (Policy p : policies) {
        Candidate est = p.estimator().get();
        int eligible = 0;
        int over = 0;
        int longOnes = 0;
        int under = 0;
        int counted = 0;
        for (int i = 0; i < n; i++) {
          Sample s = Sample.of(prompts[i]);
          int actual = prompts[i].tokens(v) + TEMPLATE_TOKENS;
          boolean fits = actual + gen[i] <= threshold;
          int high = est.routing(s) + gen[i];
          int low = (p.band() == Band.BOTH ? est.low(s) : est.predict(s)) + gen[i];
          boolean routedShort;
          if (p.band() != Band.NONE && StraddleRule.candidate(router, low, high) >= 0) {
            counted++;
            routedShort = fits;
          } else {
            routedShort = router.poolFor(high) == 0;
          }
          if (fits) {
            eligible++;
            over += routedShort ? 0 : 1;
          } else {
            longOnes++;
            under += routedShort ? 1 : 0;
          }
          est.observe(s, actual);
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %s (%d) | %s (%d of %d) | %s |%n", p.name(), threshold,
            eligible, pct(div(over, eligible)), over, pct(div(under, longOnes)), under, longOnes, pct(div(counted, n)));
      }
    }
    System.out.println();
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }
}
