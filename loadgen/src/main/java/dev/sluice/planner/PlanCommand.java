package dev.sluice.planner;

import dev.sluice.calibration.ContentCategory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code ./sluice plan}: sizes a homogeneous and a routed fleet for a trace and prints the comparison. */
public final class PlanCommand {
  static final int DEFAULT_SHORT_CONTEXT = 8192;
  static final int DEFAULT_LONG_CONTEXT = 65536;
  /** TTFT P99 SLO: chunked prefill of a 4K prompt alone takes about half a second on the gpu profile. */
  static final double DEFAULT_SLO_MS = 2000;
  /** 8 A100-80GB at the fleet-sim price of $2.21 per GPU-hour. */
  static final double DEFAULT_PRICE_PER_INSTANCE_HOUR = 8 * 2.21;
  static final int[] SWEEP_THRESHOLDS = {2048, 4096, 8192};
  /** Corpus categories whose bytes/token stand in for a trace's prompts when its name says nothing. */
  static final List<String> PROSE = List.of("en_narrative_pride_ch01-12", "en_doc_python_tutorial",
      "en_tech_debref_ch01");
  static final List<String> CODE = List.of("code_java_commons_lang3");

  private static final String USAGE = """
      usage: ./sluice plan --trace FILE [options]
        --trace FILE                 Azure LLM trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens)
        --rate R                     re-rate to R requests/s (default: the trace's own mean rate)
        --duration S                 loop the re-rated trace to fill S seconds (default: one pass)
        --arrivals trace|poisson     keep the trace's timing (default), or Poisson arrivals with sizes drawn
                                     from the trace (what the closed form assumes)
        --profile NAME               engine step-time profile: gpu | instant (default gpu)
        --short-context N            short pool max_model_len and routing threshold (default 8192)
        --long-context N             long/homogeneous max_model_len (default 65536)
        --long-max-num-seqs N        long/homogeneous max_num_seqs (default: as many as the KV cache holds
                                     at full context, 16); more overcommits the cache, as vLLM allows
        --slo-ttft-p99 MS            TTFT P99 SLO every fleet is sized to meet (default 2000)
        --slo-scope fleet|class      P99 over all requests of a fleet (default), or over short and long
                                     requests separately in both fleets
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
        --seed S                     seed for prompt bytes and Poisson arrivals (default 1); same seed,
                                     same plan
        --json                       print JSON
      """;

  private PlanCommand() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    if (opts == null) {
      System.out.print(USAGE);
      return;
    }
    Path tracePath = Path.of(require(opts, "trace"));
    Trace trace = Trace.readAzureCsv(tracePath);
    double rate = opts.containsKey("rate") ? Double.parseDouble(opts.get("rate")) : trace.meanRate();
    double duration = Double.parseDouble(opts.getOrDefault("duration", "0"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    String arrivals = opts.getOrDefault("arrivals", "trace");
    trace = switch (arrivals) {
      case "trace" -> trace.rerated(rate, duration);
      case "poisson" -> trace.poisson(rate, duration > 0 ? duration : trace.span() * trace.meanRate() / rate, seed);
      default -> throw new IllegalArgumentException("--arrivals is trace or poisson");
    };

    String profile = opts.getOrDefault("profile", "gpu");
    int longContext = Integer.parseInt(opts.getOrDefault("long-context", Integer.toString(DEFAULT_LONG_CONTEXT)));
    double sloMs = Double.parseDouble(opts.getOrDefault("slo-ttft-p99", Double.toString(DEFAULT_SLO_MS)));
    double price = Double.parseDouble(opts.getOrDefault("price-per-instance-hour",
        Double.toString(DEFAULT_PRICE_PER_INSTANCE_HOUR)));
    String router = opts.containsKey("oracle") ? "oracle" : opts.getOrDefault("router", "calibrated");
    boolean codeTrace = tracePath.getFileName().toString().toLowerCase(Locale.ROOT).contains("code");
    PromptBytes bytes = null;
    if (!router.equals("oracle")) {
      List<String> categories = opts.containsKey("categories") ? List.of(opts.get("categories").split(","))
          : codeTrace ? CODE : PROSE;
      bytes = PromptBytes.fromCorpus(sharedData().resolve("corpus/chunk_tokens.tsv"), categories);
    }
    ContentCategory category = opts.containsKey("category") ? ContentCategory.byId(opts.get("category"))
        : codeTrace ? ContentCategory.CODE : ContentCategory.PROSE;
    Planner.Scope scope = Planner.Scope.valueOf(opts.getOrDefault("slo-scope", "fleet").toUpperCase(Locale.ROOT));
    List<Integer> thresholds = new ArrayList<>();
    if (opts.containsKey("sweep")) {
      for (int t : SWEEP_THRESHOLDS) {
        thresholds.add(t);
      }
    } else {
      thresholds.add(Integer.parseInt(opts.getOrDefault("short-context", Integer.toString(DEFAULT_SHORT_CONTEXT))));
    }

    ShapeScaling shapes = ShapeScaling.shipped(profile);
    if (opts.containsKey("long-max-num-seqs")) {
      shapes = shapes.withLongMaxNumSeqs(Integer.parseInt(opts.get("long-max-num-seqs")));
    }
    List<PlanReport> reports = new ArrayList<>();
    for (int threshold : thresholds) {
      Planner.Config config = new Planner.Config(threshold, longContext, sloMs / 1000, price, seed, scope);
      PlanReport report = switch (router) {
        case "oracle", "fixed" -> Planner.plan(trace, config, shapes, bytes);
        case "calibrated" -> {
          CalibratedRouting routing = new CalibratedRouting(threshold, category);
          yield Planner.plan(trace, config, shapes, bytes, routing, routing::conservativeBytesPerToken);
        }
        default -> throw new IllegalArgumentException("--router is calibrated, fixed or oracle");
      };
      reports.add(report);
      if (!opts.containsKey("json")) {
        System.out.println(report.render());
      }
    }
    if (opts.containsKey("json")) {
      if (reports.size() == 1) {
        System.out.println(toJson(reports.get(0)).encodePrettily());
      } else {
        JsonArray all = new JsonArray();
        reports.forEach(r -> all.add(toJson(r)));
        System.out.println(new JsonObject().put("trace", tracePath.toString()).put("sweep", all).encodePrettily());
      }
    }
  }

  static JsonObject toJson(PlanReport report) {
    JsonObject json = new JsonObject();
    report.fields().forEach((k, v) -> json.put(k, v instanceof Double d && !Double.isFinite(d) ? null : v));
    return json;
  }

  /** Options as name to value; flags map to "true". Null when help was asked for. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
      }
      String name = a.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        opts.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (name.equals("sweep") || name.equals("json") || name.equals("oracle")) {
        opts.put(name, "true");
      } else if (i + 1 < args.length) {
        opts.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
      }
    }
    return opts;
  }

  private static String require(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required\n" + USAGE);
    }
    return v;
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
