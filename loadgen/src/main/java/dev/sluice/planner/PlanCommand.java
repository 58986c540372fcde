package dev.sluice.planner;

import dev.sluice.calibration.ContentCategory;
import dev.sluice.cli.Cli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./sluice plan}: sizes a homogeneous and a routed fleet for a trace or a length distribution, at one
 * or more baseline {@code max_num_seqs}, and prints the comparison and its verdict. Exit status 2 for a bad
 * command line, 3 for a TTFT objective that no fleet size can meet.
 */
@Command(name = "plan", description = "Size a homogeneous and a routed fleet for a trace or a length "
    + "distribution, at each baseline max_num_seqs, and end with a verdict.",
    customSynopsis = "sluice plan (--trace FILE | --cdf FILE --rate R) [OPTIONS]",
    exitCodeList = {"0:planned", "2:bad command line", "3:a TTFT objective no fleet size can meet"})
public final class PlanCommand implements Callable<Integer> {
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
  /** Exit status for a TTFT objective that no fleet size meets. */
  static final int EXIT_UNATTAINABLE = 3;
  /** Corpus categories whose bytes/token stand in for a trace's prompts when its name says nothing. */
  static final List<String> PROSE = List.of("en_narrative_pride_ch01-12", "en_doc_python_tutorial",
      "en_tech_debref_ch01");
  static final List<String> CODE = List.of("code_java_commons_lang3");

  @Spec
  CommandSpec spec;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "Azure LLM trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens)")
  Path traceFile;
  @Option(names = "--cdf", paramLabel = "FILE", description = {"a total-token length distribution instead "
      + "(../shared/data/cdf/*.json: an array of [tokens, cumulative_fraction] or an object with \"cdf\"), "
      + "Poisson arrivals"})
  Path cdfFile;
  @Option(names = "--rate", paramLabel = "R",
      description = "requests/s: re-rates a trace (default: its own mean rate); required with --cdf")
  Double rate;
  @Option(names = "--duration", paramLabel = "S", description = "loop the re-rated trace to fill S seconds "
      + "(default: one pass); with --cdf, seconds of arrivals (default 300)")
  Double duration;
  @Option(names = "--arrivals", paramLabel = "trace|poisson", description = "with --trace: keep its timing "
      + "(default), or Poisson arrivals with sizes drawn from it (what the closed form assumes)")
  String arrivals;
  @Option(names = "--output-share", paramLabel = "F",
      description = "with --cdf: share of each total that is output (default 0.2)")
  Double outputShare;
  @Option(names = "--profile", paramLabel = "NAME", defaultValue = "gpu",
      description = "engine step-time profile: gpu | instant (default ${DEFAULT-VALUE})")
  String profile;
  @Option(names = "--short-context", paramLabel = "N", defaultValue = "" + DEFAULT_SHORT_CONTEXT,
      description = "short pool max_model_len and routing threshold (default ${DEFAULT-VALUE})")
  int shortContext;
  @Option(names = "--long-context", paramLabel = "N", defaultValue = "" + DEFAULT_LONG_CONTEXT,
      description = "long/homogeneous max_model_len (default ${DEFAULT-VALUE})")
  int longContext;
  @Option(names = {"--baseline-max-num-seqs", "--long-max-num-seqs"}, paramLabel = "N[,N...]", split = ",",
      description = "max_num_seqs of the long configuration (homogeneous fleet and routed long pool) to plan at, "
          + "e.g. 16,64,256 (default: the most the KV cache holds at full context, 16, and vLLM's default for "
          + "the profile's GPU, 256 on an A100)")
  List<Integer> baselineMaxNumSeqs;
  @Option(names = "--max-num-batched-tokens", paramLabel = "N",
      description = "step budget of every pool (default: vLLM's for the GPU, 2048 on an A100)")
  Integer maxNumBatchedTokens;
  @Option(names = "--no-scheduler-reserve-full-isl", description = "admit on the first prefill chunk instead of "
      + "the whole sequence (vLLM before its full-sequence admission gate)")
  boolean noReserveFullIsl;
  @Option(names = "--no-enable-prefix-caching", description = "no prefix cache: a preempted request recomputes all "
      + "it had (vLLM V1 keeps its full blocks cached, so its resume reuses what was not evicted)")
  boolean noPrefixCaching;
  @Option(names = "--slo-ttft-p99", paramLabel = "MS", defaultValue = "" + DEFAULT_SLO_MS,
      description = "TTFT P99 SLO every fleet is sized to meet (default 2000)")
  double sloMs;
  @Option(names = "--slo-scope", paramLabel = "auto|fleet|class", defaultValue = "auto", description = "fleet: "
      + "P99 over all requests of a fleet; class: over short and long requests separately, in both fleets; auto "
      + "(default): fleet, or class when the longest prompts cannot meet a fleet-wide P99 even alone")
  String sloScope;
  @Option(names = "--price-per-instance-hour", paramLabel = "P", defaultValue = "" + DEFAULT_PRICE_PER_INSTANCE_HOUR,
      description = "for the yearly cost (default 17.68 = 8 x $2.21 A100-hours)")
  double price;
  @Option(names = "--sweep", description = "plan for short thresholds 2048, 4096 and 8192")
  boolean sweepThresholds;
  @Option(names = "--router", paramLabel = "calibrated|fixed|oracle", defaultValue = "calibrated",
      description = "calibrated (default): the dispatcher's calibration table learns bytes/token online from the "
          + "simulated usage; fixed: a settled ratio one sd below the corpus mean; oracle: true token counts")
  String router;
  @Option(names = "--oracle", description = "same as --router oracle")
  boolean oracle;
  @Option(names = "--category", paramLabel = "NAME",
      description = "calibration category of the prompts (default code for a *code* trace, else prose)")
  String category;
  @Option(names = "--categories", paramLabel = "A,B", split = ",", description = "corpus categories for prompt "
      + "bytes (default: code for a trace named *code*, else English prose)")
  List<String> categories;
  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "seed for prompt bytes and arrivals (default 1); same seed, same plan")
  long seed;
  @Option(names = "--json", description = "print JSON")
  boolean json;
  @Option(names = "--html", paramLabel = "FILE", description = "also write the plan as one offline HTML page "
      + "(instances per pool, savings over thresholds, TTFT per class, preemptions); plans every --sweep threshold "
      + "and --short-context so that the page can draw the savings curve")
  Path html;

  public PlanCommand() {
  }

  /** A bad combination of options, in the command line's own error shape. */
  private ParameterException usage(String problem) {
    return Cli.usageError(spec, problem);
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try {
      return plan(out);
    } catch (Planner.UnattainableSlo e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
      return EXIT_UNATTAINABLE;
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    } finally {
      out.flush();
    }
  }

  private int plan(PrintWriter out) throws IOException {
    if ((traceFile != null) == (cdfFile != null)) {
      throw usage("give one of --trace FILE or --cdf FILE");
    }
    Path source = traceFile != null ? traceFile : cdfFile;
    Trace trace = traceFile != null ? trace(source) : cdfTrace(source);
    String routing = oracle ? "oracle" : router;
    if (!List.of("calibrated", "fixed", "oracle").contains(routing)) {
      throw usage("--router is calibrated, fixed or oracle, not '" + routing + "'");
    }
    boolean codeTrace = source.getFileName().toString().toLowerCase(Locale.ROOT).contains("code");
    PromptBytes bytes = null;
    if (!routing.equals("oracle")) {
      bytes = PromptBytes.fromCorpus(sharedData().resolve("corpus/chunk_tokens.tsv"),
          categories != null ? categories : codeTrace ? CODE : PROSE);
    }
    ContentCategory promptCategory = category != null ? ContentCategory.byId(category)
        : codeTrace ? ContentCategory.CODE : ContentCategory.PROSE;
    Planner.Scope scope = scope(sloScope);
    TreeSet<Integer> planned = new TreeSet<>();
    if (sweepThresholds || html != null) {
      for (int t : SWEEP_THRESHOLDS) {
        planned.add(t);
      }
    }
    if (!sweepThresholds || spec.commandLine().getParseResult().hasMatchedOption("--short-context")) {
      planned.add(shortContext);
    }
    List<Integer> thresholds = new ArrayList<>(planned);

    ShapeScaling shapes = ShapeScaling.shipped(profile);
    if (maxNumBatchedTokens != null) {
      shapes = shapes.withMaxNumBatchedTokens(maxNumBatchedTokens);
    }
    if (noReserveFullIsl) {
      shapes = shapes.withReserveFullIsl(false);
    }
    if (noPrefixCaching) {
      shapes = shapes.withPrefixCaching(false);
    }
    List<Integer> baselines = baselines(baselineMaxNumSeqs, shapes, longContext);
    for (int seqs : baselines) {
      String refusal = shapes.withLongMaxNumSeqs(seqs).longPool(longContext).shape().startupError();
      if (refusal != null) {
        throw usage(refusal + ": vLLM refuses to start with max_num_seqs " + seqs
            + " (pass a larger --max-num-batched-tokens)");
      }
    }
    JsonArray sweep = new JsonArray();
    List<PlanPage.Threshold> pages = new ArrayList<>();
    for (int threshold : thresholds) {
      Planner.Config config = new Planner.Config(threshold, longContext, sloMs / 1000, price, seed, scope);
      RoutingPolicy policy;
      DoubleSupplier ratio;
      if (routing.equals("calibrated")) {
        CalibratedRouting calibrated = new CalibratedRouting(threshold, promptCategory);
        policy = calibrated;
        ratio = calibrated::conservativeBytesPerToken;
      } else {
        double r = bytes == null ? 0 : bytes.conservativeRatio();
        policy = bytes == null ? RoutingPolicy.oracle(threshold) : RoutingPolicy.conservativeRatio(threshold, r);
        ratio = () -> r;
      }
      List<PlanReport> reports = Planner.plan(trace, config, shapes, bytes, policy, ratio, baselines);
      String verdict = Verdict.sentence(reports);
      pages.add(new PlanPage.Threshold(threshold, reports, verdict));
      if (json) {
        sweep.add(toJson(reports, verdict));
      } else {
        out.print(reports.get(0).render());
        out.print(baselineTable(reports, shapes, longContext));
        out.println("  verdict        " + verdict);
        out.println();
      }
    }
    if (json) {
      out.println(sweep.size() == 1 ? sweep.getJsonObject(0).encodePrettily()
          : new JsonObject().put("trace", source.toString()).put("sweep", sweep).encodePrettily());
    }
    if (html != null) {
      Files.writeString(html, PlanPage.render(source.getFileName().toString(), pages, shapes, longContext));
      if (!json) {
        out.println("HTML page: " + html.toAbsolutePath());
      }
    }
    return 0;
  }

  private Trace trace(Path file) throws IOException {
    if (outputShare != null) {
      throw usage("--output-share applies to --cdf; a trace has its own outputs");
    }
    Trace trace = Trace.readAzureCsv(file);
    double r = rate != null ? rate : trace.meanRate();
    double d = duration != null ? duration : 0;
    String mode = arrivals == null ? "trace" : arrivals;
    return switch (mode) {
      case "trace" -> trace.rerated(r, d);
      case "poisson" -> trace.poisson(r, d > 0 ? d : trace.span() * trace.meanRate() / r, seed);
      default -> throw usage("--arrivals is trace or poisson, not '" + mode + "'");
    };
  }

  private Trace cdfTrace(Path file) throws IOException {
    if (rate == null) {
      throw usage("--cdf needs --rate R (requests per second)");
    }
    if (arrivals != null) {
      throw usage("--arrivals applies to --trace; a length distribution has Poisson arrivals");
    }
    return Trace.fromCdf(LengthCdf.read(file), rate, duration != null ? duration : DEFAULT_CDF_DURATION,
        outputShare != null ? outputShare : DEFAULT_OUTPUT_SHARE, seed);
  }

  /** The baseline max_num_seqs values: as given, or the full-context-safe value and vLLM's default. */
  static List<Integer> baselines(List<Integer> given, ShapeScaling shapes, int longContext) {
    List<Integer> out = new ArrayList<>();
    if (given == null || given.isEmpty()) {
      out.add(shapes.fullContextSafeMaxNumSeqs(longContext));
      if (shapes.vllmDefaultMaxNumSeqs() != out.get(0)) {
        out.add(shapes.vllmDefaultMaxNumSeqs());
      }
      return out;
    }
    for (int seqs : given) {
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

  private Planner.Scope scope(String value) {
    return switch (value) {
      case "auto" -> Planner.Scope.AUTO;
      case "fleet" -> Planner.Scope.FLEET;
      case "class" -> Planner.Scope.CLASS;
      default -> throw usage("--slo-scope is auto, fleet or class, not '" + value + "'");
    };
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
