package dev.sluice.bench;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.calibration.KeyView;
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
import java.util.function.Supplier;

/**
 * {@code ./sluice bench estimator-offline}: replays the corpus's true token counts through three
 * estimators (a fixed 4.0 bytes/token, the paper's plain EMA without intercept, Sluice's calibration)
 * and reports prediction errors and, on the Azure traces, misroute rates at several short-pool sizes.
 * No network, no tokenizer: sizes and counts come from {@code chunk_tokens.tsv}.
 *
 * <p>Each request is predicted first and observed after (prequential), as in production where the
 * count arrives with the response.
 */
public final class EstimatorOfflineBench {

  /** Chat-template tokens added to each prompt (Llama 3, one user turn). */
  static final int TEMPLATE_TOKENS = 10;
  static final int WARM_UP = 200;
  static final int REQUESTS_PER_FILE = 800;
  static final int[] THRESHOLDS = {2048, 4096, 8192};

  private record Chunk(String set, String file, long bytes, int tokens) {
  }

  /** One estimator under test: predicts (unbiased, routing) prompt tokens and learns from counts. */
  interface Candidate {
    int predict(ContentCategory c, long bytes);

    int routing(ContentCategory c, long bytes);

    void observe(ContentCategory c, long bytes, int actual);
  }

  /** What other routers do: a constant 4 bytes per token. */
  static final class Fixed implements Candidate {
    @Override
    public int predict(ContentCategory c, long bytes) {
      return (int) Math.ceil(bytes / 4.0);
    }

    @Override
    public int routing(ContentCategory c, long bytes) {
      return predict(c, bytes);
    }

    @Override
    public void observe(ContentCategory c, long bytes, int actual) {
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
    public int predict(ContentCategory c, long bytes) {
      return (int) Math.max(1, Math.ceil(bytes / (n[c.ordinal()] >= 10 ? mean[c.ordinal()] : 4.0)));
    }

    @Override
    public int routing(ContentCategory c, long bytes) {
      return (int) Math.max(1, Math.ceil(bytes / (n[c.ordinal()] >= 10 ? low[c.ordinal()] : 4.0)));
    }

    @Override
    public void observe(ContentCategory c, long bytes, int actual) {
      int i = c.ordinal();
      double obs = bytes / (double) actual;
      if (n[i]++ == 0) {
        mean[i] = obs;
        low[i] = obs;
        return;
      }
      mean[i] = 0.995 * mean[i] + 0.005 * obs;
      low[i] += (obs < low[i] ? 0.9 : 0.1) * (obs - low[i]);
    }
  }

  /** Sluice's calibration table, as the dispatcher's estimator uses it. */
  static final class Sluice implements Candidate {
    private final CalibrationTable table;

    Sluice(CalibrationParams params) {
      table = new CalibrationTable(params);
    }

    @Override
    public int predict(ContentCategory c, long bytes) {
      return table.view("m", c).promptTokens(bytes);
    }

    @Override
    public int routing(ContentCategory c, long bytes) {
      return table.view("m", c).routingTokens(bytes);
    }

    @Override
    public void observe(ContentCategory c, long bytes, int actual) {
      table.observe("m", c, bytes, actual);
    }

    KeyView view(ContentCategory c) {
      return table.view("m", c);
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

  private static List<Chunk> loadChunks() throws IOException {
    List<String> lines = Files.readAllLines(shared().resolve("data/corpus/chunk_tokens.tsv"), StandardCharsets.UTF_8);
    List<String> h = Arrays.asList(lines.get(0).split("\t"));
    int set = h.indexOf("chunk_set");
    int cat = h.indexOf("category");
    int len = h.indexOf("byte_length");
    int tok = h.indexOf("tokens_llama3");
    List<Chunk> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      out.add(new Chunk(f[set], f[cat], Long.parseLong(f[len]), Integer.parseInt(f[tok])));
    }
    return out;
  }

  public static void main(String[] args) throws IOException {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
    List<Chunk> chunks = loadChunks();
    Map<String, Supplier<Candidate>> candidates = new LinkedHashMap<>();
    candidates.put("fixed 4.0", Fixed::new);
    candidates.put("paper EMA", PaperEma::new);
    candidates.put("sluice", () -> new Sluice(CalibrationParams.defaults()));
    candidates.put("sluice, intercept prior 0", () -> new Sluice(zeroInterceptPriors()));
    System.out.printf(Locale.ROOT, "# estimator-offline, seed %d, %s (UTC)%n%n", seed, LocalDate.now(ZoneOffset.UTC));
    perFile(chunks, candidates, seed);
    mixedTraffic(chunks, candidates, seed);
    Map<String, Supplier<Candidate>> gammas = new LinkedHashMap<>(candidates);
    for (double g : new double[] {0.0, 0.5, 2.0}) {
      gammas.put("sluice gamma " + g, () -> new Sluice(CalibrationParams.withPriors(Map.of(),
          CalibrationParams.DEFAULT_DECAY, g, CalibrationParams.DEFAULT_MIN_SAMPLES)));
    }
    for (String trace : List.of("code", "conv")) {
      misroutes(chunks, gammas, trace, seed);
    }
  }

  /** Default tuning, but every prior claims no template overhead: the intercept must be learned. */
  static CalibrationParams zeroInterceptPriors() {
    Map<ContentCategory, dev.sluice.calibration.CategoryPrior> priors = new EnumMap<>(ContentCategory.class);
    CalibrationParams.defaultPriors().forEach((c, p) -> priors.put(c,
        new dev.sluice.calibration.CategoryPrior(p.bytesPerToken(), 0, p.spread())));
    return CalibrationParams.withPriors(priors, CalibrationParams.DEFAULT_DECAY, CalibrationParams.DEFAULT_GAMMA,
        CalibrationParams.DEFAULT_MIN_SAMPLES);
  }

  /** Error statistics of one replay. */
  private record Errors(double mape4k, double mape512, double mapeNatural, double p95, int converged) {
  }

  private static Errors replay(Candidate est, List<ContentCategory> cats, List<Chunk> requests) {
    List<Double> all = new ArrayList<>();
    double[] sum = new double[3];
    int[] cnt = new int[3];
    int[][] reference = new int[ContentCategory.count()][requests.size()];
    boolean[] seen = new boolean[ContentCategory.count()];
    long referenceBytes = requests.stream().mapToLong(Chunk::bytes).sorted().skip(requests.size() / 2).findFirst()
        .orElse(4096);
    for (int k = 0; k < requests.size(); k++) {
      Chunk r = requests.get(k);
      ContentCategory c = cats.get(k);
      int actual = r.tokens() + TEMPLATE_TOKENS;
      double e = Math.abs(est.predict(c, r.bytes()) - actual) / (double) actual;
      if (k >= WARM_UP) {
        int bucket = r.set().equals("4096") ? 0 : r.set().equals("512") ? 1 : 2;
        sum[bucket] += e;
        cnt[bucket]++;
        all.add(e);
      }
      est.observe(c, r.bytes(), actual);
      seen[c.ordinal()] = true;
      for (ContentCategory x : ContentCategory.values()) {
        reference[x.ordinal()][k] = est.predict(x, referenceBytes);
      }
    }
    all.sort(null);
    double p95 = all.isEmpty() ? 0 : all.get((int) Math.floor(0.95 * (all.size() - 1)));
    int converged = 0;
    for (ContentCategory x : ContentCategory.values()) {
      if (seen[x.ordinal()]) {
        converged = Math.max(converged, convergedAt(reference[x.ordinal()]));
      }
    }
    return new Errors(div(sum[0], cnt[0]), div(sum[1], cnt[1]), div(sum[2], cnt[2]), p95, converged);
  }

  static final double SETTLED = 0.04;

  /**
   * Samples after which the estimate for a prompt of the stream's median size stays within 4% of its
   * value at the end of the run: the estimator has found its steady state (a slow EMA may never settle
   * within the run). Counted per category key, the slowest key reported.
   */
  private static int convergedAt(int[] reference) {
    double last = reference[reference.length - 1];
    int k = reference.length;
    while (k > 0 && Math.abs(reference[k - 1] - last) <= SETTLED * last) {
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
    System.out.printf(Locale.ROOT, "## Per corpus file: %d requests each, a third contiguous ~4 KiB chunks, a third "
        + "~4 KiB concatenations of random <512 B chunks, a third single <512 B chunks; errors after %d warm-up "
        + "samples%n%n", REQUESTS_PER_FILE, WARM_UP);
    System.out.println("| file | category | estimator | MAPE 4 KiB | MAPE 4 KiB concat | MAPE <512 B | p95 error "
        + "| samples to converge | best constant ratio MAPE 4 KiB / <512 B |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String file : big.keySet()) {
      Random rnd = new Random(seed ^ file.hashCode());
      List<Chunk> reqs = new ArrayList<>();
      for (int k = 0; k < REQUESTS_PER_FILE; k++) {
        int kind = rnd.nextInt(3);
        if (kind == 2) {
          reqs.add(concatenation(small.get(file), file, rnd));
        } else {
          List<Chunk> pool = kind == 0 ? big.get(file) : small.get(file);
          reqs.add(pool.get(rnd.nextInt(pool.size())));
        }
      }
      ContentCategory cat = ContentCategory.ofCorpusFile(file);
      List<ContentCategory> cats = java.util.Collections.nCopies(reqs.size(), cat);
      String oracle = pct(oracleMape(big.get(file))) + " / " + pct(oracleMape(small.get(file)));
      candidates.forEach((name, make) -> {
        Errors e = replay(make.get(), cats, reqs);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d | %s |%n", file, cat.id(), name,
            pct(e.mape4k()), pct(e.mapeNatural()), pct(e.mape512()), pct(e.p95()), e.converged(), oracle);
      });
    }
    System.out.println();
    List<Chunk> natural = chunks.stream().filter(c -> c.set().equals("natural")).toList();
    Random rnd = new Random(seed);
    List<Chunk> reqs = new ArrayList<>();
    for (int k = 0; k < REQUESTS_PER_FILE; k++) {
      reqs.add(natural.get(rnd.nextInt(natural.size())));
    }
    List<ContentCategory> cats = java.util.Collections.nCopies(reqs.size(), ContentCategory.PROSE);
    System.out.printf(Locale.ROOT, "Short real prompts: %d requests drawn from the 80 MT-Bench first turns (median 24 "
        + "tokens + %d template tokens), prose key; best constant ratio MAPE %s%n%n", REQUESTS_PER_FILE,
        TEMPLATE_TOKENS, pct(oracleMape(natural)));
    System.out.println("| estimator | MAPE | p95 error | samples to converge |");
    System.out.println("|---|---|---|---|");
    candidates.forEach((name, make) -> {
      Errors e = replay(make.get(), cats, reqs);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %d |%n", name, pct(e.mapeNatural()), pct(e.p95()),
          e.converged());
    });
    System.out.println();
  }

  /** A ~4 KiB prompt made of random <512 B chunks of one file (token counts add up across the cuts). */
  private static Chunk concatenation(List<Chunk> small, String file, Random rnd) {
    long bytes = 0;
    int tokens = 0;
    while (bytes < CONCAT_BYTES) {
      Chunk c = small.get(rnd.nextInt(small.size()));
      bytes += c.bytes();
      tokens += c.tokens();
    }
    return new Chunk("concat", file, bytes, tokens);
  }

  static final long CONCAT_BYTES = 3584;

  /** MAPE of the best single ratio for these chunks, known in hindsight: the floor for any per-category ratio. */
  private static double oracleMape(List<Chunk> rows) {
    double ratio = rows.stream().mapToLong(Chunk::bytes).sum() / (double) rows.stream().mapToLong(Chunk::tokens).sum();
    return rows.stream().mapToDouble(r -> {
      int actual = r.tokens() + TEMPLATE_TOKENS;
      return Math.abs(Math.ceil(TEMPLATE_TOKENS + r.bytes() / ratio) - actual) / actual;
    }).average().orElse(Double.NaN);
  }

  private static void mixedTraffic(List<Chunk> chunks, Map<String, Supplier<Candidate>> candidates, long seed) {
    Random rnd = new Random(seed * 31 + 7);
    List<Chunk> pool = chunks.stream().filter(c -> !c.set().equals("natural")).toList();
    List<Chunk> natural = chunks.stream().filter(c -> c.set().equals("natural")).toList();
    List<Chunk> reqs = new ArrayList<>();
    List<ContentCategory> cats = new ArrayList<>();
    for (int k = 0; k < 6000; k++) {
      Chunk c = rnd.nextInt(10) == 0 ? natural.get(rnd.nextInt(natural.size())) : pool.get(rnd.nextInt(pool.size()));
      reqs.add(c);
      cats.add(c.set().equals("natural") ? ContentCategory.PROSE : ContentCategory.ofCorpusFile(c.file()));
    }
    System.out.println("## Mixed traffic: 6000 requests over all files (each in its category's key), 10% MT-Bench "
        + "prompts; errors after " + WARM_UP + " samples");
    System.out.println();
    System.out.println("| estimator | MAPE 4 KiB | MAPE <512 B | MAPE MT-Bench prompts | p95 error | samples to converge |");
    System.out.println("|---|---|---|---|---|---|");
    candidates.forEach((name, make) -> {
      Errors e = replay(make.get(), cats, reqs);
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %d |%n", name, pct(e.mape4k()), pct(e.mape512()),
          pct(e.mapeNatural()), pct(e.p95()), e.converged());
    });
    System.out.println();
  }

  private static void misroutes(List<Chunk> chunks, Map<String, Supplier<Candidate>> candidates, String trace,
      long seed) throws IOException {
    List<String> rows = Files.readAllLines(shared().resolve("data/azure/AzureLLMInferenceTrace_" + trace + ".csv"));
    Map<ContentCategory, List<Chunk>> byCat = new EnumMap<>(ContentCategory.class);
    for (Chunk c : chunks) {
      if (c.set().equals("512")) {
        byCat.computeIfAbsent(ContentCategory.ofCorpusFile(c.file()), k -> new ArrayList<>()).add(c);
      }
    }
    Map<ContentCategory, Double> mix = EstimatorLiveBench.traceMix(trace);
    Random rnd = new Random(seed * 131 + trace.hashCode());
    int n = rows.size() - 1;
    long[] bytes = new long[n];
    int[] prompt = new int[n];
    int[] gen = new int[n];
    ContentCategory[] cat = new ContentCategory[n];
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
      cat[i] = c;
      List<Chunk> pool = byCat.get(c);
      long b = 0;
      int t = TEMPLATE_TOKENS;
      do {
        Chunk ch = pool.get(rnd.nextInt(pool.size()));
        b += ch.bytes();
        t += ch.tokens();
      } while (t < target);
      bytes[i] = b;
      prompt[i] = t;
    }
    System.out.printf(Locale.ROOT, "## Misroutes on the Azure %s trace (%d requests, prompts built from <512 B corpus "
        + "chunks up to ContextTokens, max_tokens = GeneratedTokens, mix %s)%n%n", trace, n, mix);
    System.out.println("| estimator | threshold | short-eligible | eligible sent long (over) | too long sent short "
        + "(under, retried) | under, % of all requests |");
    System.out.println("|---|---|---|---|---|---|");
    for (int threshold : THRESHOLDS) {
      for (Map.Entry<String, Supplier<Candidate>> e : candidates.entrySet()) {
        Candidate est = e.getValue().get();
        int eligible = 0;
        int over = 0;
        int longOnes = 0;
        int under = 0;
        for (int i = 0; i < n; i++) {
          boolean fits = prompt[i] + gen[i] <= threshold;
          boolean routedShort = est.routing(cat[i], bytes[i]) + gen[i] <= threshold;
          if (fits) {
            eligible++;
            if (!routedShort) {
              over++;
            }
          } else {
            longOnes++;
            if (routedShort) {
              under++;
            }
          }
          est.observe(cat[i], bytes[i], prompt[i]);
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | %s | %s |%n", e.getKey(), threshold, eligible,
            pct(div(over, eligible)), pct(div(under, longOnes)), pct(div(under, n)));
      }
    }
    System.out.println();
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }
}
