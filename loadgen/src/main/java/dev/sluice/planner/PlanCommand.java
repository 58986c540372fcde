package dev.sluice.planner;

import dev.sluice.calibration.ContentCategory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * {@code ./sluice plan}: sizes a homogeneous and a routed fleet for a trace or a length distribution, at one
 * or more baseline {@code max_num_seqs}, and prints the comparison and its verdict. Exit status 2 for a bad
 * command line, 3 for a TTFT objective that no fleet size can meet.
 */
public final class PlanCommand {
  static final int DEFAULT_SHORT_CONTEXT = 8192;
  static final int DEFAULT_LONG_CONTEXT = 65536;
  /** TTFT P99 SLO: chunked prefill of a 4K prompt alone takes about half a second on the gpu profile. */
  static final double DEFAULT_SLO_MS = 2000;
  /** 8 A100-80GB at the fleet-sim price of $2.21 per GPU-hour. */
  static final double DEFAULT_PRICE_PER_INSTANCE_HOUR = 8 * 2.21;
  /** Seconds of Poisson arrivals drawn from a length distribution when --duration is not given. */
  static final double DEFAULT_CDF_DURATION = 300;
  /** Output share of a total drawn from a length distribution (the split of the CDFs' source simulator). */
  static final double DEFAULT_OUTPUT_SHARE = 0.2;
  static final int[] SWEEP_THRESHOLDS = {2048, 4096, 8192};
  /** Exit status for a command line that cannot be run. */
  static final int EXIT_USAGE = 2;
  /** Exit status for a TTFT objective that no fleet size meets. */
  static final int EXIT_UNATTAINABLE = 3;
  /** Corpus categories whose bytes/token stand in for a trace's prompts when its name says nothing. */
  static final List<String> PROSE = List.of("en_narrative_pride_ch01-12", "en_doc_python_tutorial",
      "en_tech_debref_ch01");
  static final List<String> CODE = List.of("code_java_commons_lang3");

  private static final Set<String> SWITCHES = Set.of("sweep", "json", "oracle", "no-scheduler-reserve-full-isl",
      "no-enable-prefix-caching");
  private static final Set<String> VALUED = Set.of("trace", "cdf", "rate", "duration", "arrivals", "output-share",
      "profile", "short-context", "long-context", "baseline-max-num-seqs", "long-max-num-seqs",
      "max-num-batched-tokens", "slo-ttft-p99", "slo-scope", "price-per-instance-hour", "router", "category",
      "categories", "seed");

  private static final String USAGE = """
      usage: ./sluice plan (--trace FILE | --cdf FILE --rate R) [options]
        --trace FILE                 Azure LLM trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens)
        --cdf FILE                   a total-token length distribution instead (../shared/data/cdf/*.json: an array
                                     of [tokens, cumulative_fraction] or an object with "cdf"), Poisson arrivals
        --rate R                     requests/s: re-rates a trace (default: its own mean rate); required with --cdf
        --duration S                 loop the re-rated trace to fill S seconds (default: one pass); with --cdf,
                                     seconds of arrivals (default 300)
        --arrivals trace|poisson     with --trace: keep its timing (default), or Poisson arrivals with sizes drawn
                                     from it (what the closed form assumes)
        --output-share F             with --cdf: share of each total that is output (default 0.2)
        --profile NAME               engine step-time profile: gpu | instant (default gpu)
        --short-context N            short pool max_model_len and routing threshold (default 8192)
        --long-context N             long/homogeneous max_model_len (default 65536)
        --baseline-max-num-seqs LIST max_num_seqs of the long configuration (homogeneous fleet and routed long pool)
                                     to plan at, e.g. 16,64,256 (default: the most the KV cache holds at full
                                     context, 16, and vLLM's default for the profile's GPU, 256 on an A100)
        --long-max-num-seqs N        same as --baseline-max-num-seqs N
        --max-num-batched-tokens N   step budget of every pool (default: vLLM's for the GPU, 2048 on an A100)
        --no-scheduler-reserve-full-isl
                                     admit on the first prefill chunk instead of the whole sequence (vLLM before
                                     its full-sequence admission gate)
        --no-enable-prefix-caching   no prefix cache: a preempted request recomputes all it had (vLLM V1 keeps
                                     its full blocks cached, so its resume reuses what was not evicted)
        --slo-ttft-p99 MS            TTFT P99 SLO every fleet is sized to meet (default 2000)
        --slo-scope auto|fleet|class fleet: P99 over all requests of a fleet; class: over short and long requests
                                     separately, in both fleets; auto (default): fleet, or class when the longest
                                     prompts cannot meet a fleet-wide P99 even alone
        --price-per-instance-hour P  for the yearly cost (default 17.68 = 8 x $2.21 A100-hours)
        --sweep                      plan for short thresholds 2048, 4096 and 8192
        --router calibrated|fixed|oracle
                                     calibrated (default): the dispatcher's calibration table learns
                                     bytes/token online from the simulated usage; fixed: a settled ratio
                                     one sd below the corpus mean; oracle: true token counts
        --oracle                     same as --router oracle
        --category NAME              calibration category of the prompts (default code for a *code* trace,
                                     else prose)
        --categories A,B             corpus categories for prompt bytes (default: code for a trace named
                                     *code*, else English prose)
        --seed S                     seed for prompt bytes and arrivals (default 1); same seed, same plan
        --json                       print JSON
      exit status: 0 planned, 2 bad command line, 3 a TTFT objective no fleet size can meet
      """;

  private PlanCommand() {
  }

  public static void main(String[] args) throws Exception {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs a plan; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> opts;
    try {
      opts = parse(args, SWITCHES, VALUED);
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    if (opts == null) {
      out.print(USAGE);
      return 0;
    }
    try {
      return plan(opts, out);
    } catch (Planner.UnattainableSlo e) {
      err.println("sluice plan: " + e.getMessage());
      return EXIT_UNATTAINABLE;
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    } catch (NoSuchFileException e) {
      return usage(err, "no such file: " + e.getFile());
    } catch (IOException e) {
      return usage(err, "cannot read the workload: " + e.getMessage());
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("sluice plan: " + problem);
    err.print(USAGE);
    return EXIT_USAGE;
  }

  private static int plan(Map<String, String> opts, PrintStream out) throws IOException {
    if (opts.containsKey("trace") == opts.containsKey("cdf")) {
      throw new IllegalArgumentException("give one of --trace FILE or --cdf FILE");
    }
    long seed = integer(opts, "seed", 1);
    Path source = Path.of(opts.containsKey("trace") ? opts.get("trace") : opts.get("cdf"));
    Trace trace = opts.containsKey("trace") ? trace(opts, source, seed) : cdfTrace(opts, source, seed);
    String profile = opts.getOrDefault("profile", "gpu");
    int longContext = (int) integer(opts, "long-context", DEFAULT_LONG_CONTEXT);
    double sloMs = number(opts, "slo-ttft-p99", DEFAULT_SLO_MS);
    double price = number(opts, "price-per-instance-hour", DEFAULT_PRICE_PER_INSTANCE_HOUR);
    String router = opts.containsKey("oracle") ? "oracle" : opts.getOrDefault("router", "calibrated");
    if (!List.of("calibrated", "fixed", "oracle").contains(router)) {
      throw new IllegalArgumentException("--router is calibrated, fixed or oracle");
    }
    boolean codeTrace = source.getFileName().toString().toLowerCase(Locale.ROOT).contains("code");
    PromptBytes bytes = null;
    if (!router.equals("oracle")) {
      List<String> categories = opts.containsKey("categories") ? List.of(opts.get("categories").split(","))
          : codeTrace ? CODE : PROSE;
      bytes = PromptBytes.fromCorpus(sharedData().resolve("corpus/chunk_tokens.tsv"), categories);
    }
    ContentCategory category = opts.containsKey("category") ? ContentCategory.byId(opts.get("category"))
        : codeTrace ? ContentCategory.CODE : ContentCategory.PROSE;
    Planner.Scope scope = scope(opts.getOrDefault("slo-scope", "auto"));
    List<Integer> thresholds = new ArrayList<>();
    if (opts.containsKey("sweep")) {
      for (int t : SWEEP_THRESHOLDS) {
        thresholds.add(t);
      }
    } else {
      thresholds.add((int) integer(opts, "short-context", DEFAULT_SHORT_CONTEXT));
    }

    ShapeScaling shapes = ShapeScaling.shipped(profile);
    if (opts.containsKey("max-num-batched-tokens")) {
      shapes = shapes.withMaxNumBatchedTokens((int) integer(opts, "max-num-batched-tokens", 0));
    }
    if (opts.containsKey("no-scheduler-reserve-full-isl")) {
      shapes = shapes.withReserveFullIsl(false);
    }
    if (opts.containsKey("no-enable-prefix-caching")) {
      shapes = shapes.withPrefixCaching(false);
    }
    List<Integer> baselines = baselines(opts, shapes, longContext);
    for (int seqs : baselines) {
      String refusal = shapes.withLongMaxNumSeqs(seqs).longPool(longContext).shape().startupError();
      if (refusal != null) {
        throw new IllegalArgumentException(refusal + ": vLLM refuses to start with max_num_seqs " + seqs
            + " (pass a larger --max-num-batched-tokens)");
      }
    }
    JsonArray sweep = new JsonArray();
    for (int threshold : thresholds) {
      Planner.Config config = new Planner.Config(threshold, longContext, sloMs / 1000, price, seed, scope);
      RoutingPolicy policy;
      DoubleSupplier ratio;
      if (router.equals("calibrated")) {
        CalibratedRouting routing = new CalibratedRouting(threshold, category);
        policy = routing;
        ratio = routing::conservativeBytesPerToken;
      } else {
        double r = bytes == null ? 0 : bytes.conservativeRatio();
        policy = bytes == null ? RoutingPolicy.oracle(threshold) : RoutingPolicy.conservativeRatio(threshold, r);
        ratio = () -> r;
      }
      List<PlanReport> reports = Planner.plan(trace, config, shapes, bytes, policy, ratio, baselines);
      String verdict = Verdict.sentence(reports);
      if (opts.containsKey("json")) {
        sweep.add(toJson(reports, verdict));
      } else {
        out.print(reports.get(0).render());
        out.print(baselineTable(reports, shapes, longContext));
        out.println("  verdict        " + verdict);
        out.println();
      }
    }
    if (opts.containsKey("json")) {
      out.println(sweep.size() == 1 ? sweep.getJsonObject(0).encodePrettily()
          : new JsonObject().put("trace", source.toString()).put("sweep", sweep).encodePrettily());
    }
    return 0;
  }

  private static Trace trace(Map<String, String> opts, Path file, long seed) throws IOException {
    if (opts.containsKey("output-share")) {
      throw new IllegalArgumentException("--output-share applies to --cdf; a trace has its own outputs");
    }
    Trace trace = Trace.readAzureCsv(file);
    double rate = number(opts, "rate", trace.meanRate());
    double duration = number(opts, "duration", 0);
    String arrivals = opts.getOrDefault("arrivals", "trace");
    return switch (arrivals) {
      case "trace" -> trace.rerated(rate, duration);
      case "poisson" -> trace.poisson(rate, duration > 0 ? duration : trace.span() * trace.meanRate() / rate, seed);
      default -> throw new IllegalArgumentException("--arrivals is trace or poisson, not '" + arrivals + "'");
    };
  }

  private static Trace cdfTrace(Map<String, String> opts, Path file, long seed) throws IOException {
    if (!opts.containsKey("rate")) {
      throw new IllegalArgumentException("--cdf needs --rate R (requests per second)");
    }
    if (opts.containsKey("arrivals")) {
      throw new IllegalArgumentException("--arrivals applies to --trace; a length distribution has Poisson arrivals");
    }
    return Trace.fromCdf(LengthCdf.read(file), number(opts, "rate", 0), number(opts, "duration", DEFAULT_CDF_DURATION),
        number(opts, "output-share", DEFAULT_OUTPUT_SHARE), seed);
  }

  /** The baseline max_num_seqs values: as given, or the full-context-safe value and vLLM's default. */
  static List<Integer> baselines(Map<String, String> opts, ShapeScaling shapes, int longContext) {
    String list = opts.containsKey("baseline-max-num-seqs") ? opts.get("baseline-max-num-seqs")
        : opts.get("long-max-num-seqs");
    List<Integer> out = new ArrayList<>();
    if (list == null) {
      out.add(shapes.fullContextSafeMaxNumSeqs(longContext));
      if (shapes.vllmDefaultMaxNumSeqs() != out.get(0)) {
        out.add(shapes.vllmDefaultMaxNumSeqs());
      }
      return out;
    }
    for (String v : list.split(",")) {
      int seqs = parseInt("baseline-max-num-seqs", v.trim());
      if (seqs < 1) {
        throw new IllegalArgumentException("--baseline-max-num-seqs values must be >= 1");
      }
      out.add(seqs);
    }
    return out;
  }

  private static String baselineTable(List<PlanReport> reports, ShapeScaling shapes, int longContext) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "  baselines      %-34s %14s %9s %16s %22s %22s%n", "long max_num_seqs",
        "instances h/r", "savings", "preempt/1k h/r", "TTFT p99 short h/r ms", "TTFT p99 long h/r ms"));
    for (PlanReport r : reports) {
      int seqs = r.longMaxNumSeqs();
      String label = seqs == shapes.fullContextSafeMaxNumSeqs(longContext) ? " (full context per slot)"
          : seqs == shapes.vllmDefaultMaxNumSeqs() ? " (vLLM's default)" : "";
      b.append(String.format(Locale.ROOT, "                 %-34s %14s %8.1f%% %16s %22s %22s%n", seqs + label,
          r.instancesHomogeneous() + " / " + r.instancesRouted(), r.savingsSimulated() * 100,
          String.format(Locale.ROOT, "%.1f / %.1f", r.preemptionsPer1kHomogeneous(), r.preemptionsPer1kRouted()),
          String.format(Locale.ROOT, "%.0f / %.0f", r.ttftP99HomogeneousShortSeconds() * 1000,
              r.ttftP99RoutedShortSeconds() * 1000),
          String.format(Locale.ROOT, "%.0f / %.0f", r.ttftP99HomogeneousLongSeconds() * 1000,
              r.ttftP99RoutedLongSeconds() * 1000)));
    }
    b.append(String.format(Locale.ROOT, "                 full context per slot: %,d KV tokens / %,d = %d sequences; "
        + "vLLM's default: %d, what vllm serve runs on %s when --max-num-seqs is not given "
        + "(EngineArgs, vllm/engine/arg_utils.py)%n", shapes.kvTokens(), longContext,
        shapes.fullContextSafeMaxNumSeqs(longContext), shapes.vllmDefaultMaxNumSeqs(), shapes.gpu()));
    return b.toString();
  }

  /** The first baseline's fields at the top level, every baseline in {@code baselines}, and the verdict. */
  static JsonObject toJson(List<PlanReport> reports, String verdict) {
    JsonObject json = toJson(reports.get(0));
    JsonArray baselines = new JsonArray();
    reports.forEach(r -> baselines.add(finite(r.baselineFields())));
    return json.put("baselines", baselines).put("verdict", verdict);
  }

  static JsonObject toJson(PlanReport report) {
    return finite(report.fields());
  }

  private static JsonObject finite(Map<String, Object> fields) {
    JsonObject json = new JsonObject();
    fields.forEach((k, v) -> json.put(k, v instanceof Double d && !Double.isFinite(d) ? null : v));
    return json;
  }

  private static Planner.Scope scope(String value) {
    return switch (value) {
      case "auto" -> Planner.Scope.AUTO;
      case "fleet" -> Planner.Scope.FLEET;
      case "class" -> Planner.Scope.CLASS;
      default -> throw new IllegalArgumentException("--slo-scope is auto, fleet or class, not '" + value + "'");
    };
  }

  /**
   * Options as name to value, switches as "true"; null when help was asked for. Names outside {@code switches}
   * and {@code valued} are refused, as is a valued option without its value.
   */
  static Map<String, String> parse(String[] args, Set<String> switches, Set<String> valued) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (switches.contains(name)) {
        if (value != null) {
          throw new IllegalArgumentException("--" + name + " takes no value");
        }
        opts.put(name, "true");
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new IllegalArgumentException("--" + name + " needs a value");
          }
          value = args[++i];
        }
        opts.put(name, value);
      } else {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    return opts;
  }

  private static double number(Map<String, String> opts, String name, double fallback) {
    String v = opts.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a number, not '" + v + "'");
    }
  }

  private static long integer(Map<String, String> opts, String name, long fallback) {
    String v = opts.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a whole number, not '" + v + "'");
    }
  }

  private static int parseInt(String name, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a whole number, not '" + v + "'");
    }
  }

  /** The shared data folder: {@code sluice.shared}, else {@code ../shared/data} beside the install. */
  static Path sharedData() {
    String prop = System.getProperty("sluice.shared");
    if (prop != null) {
      return Path.of(prop, "data");
    }
    String home = System.getProperty("sluice.home", ".");
    Path p = Path.of(home).toAbsolutePath().resolve("../shared/data").normalize();
    return Files.isDirectory(p) ? p : Path.of("../shared/data");
  }
}
