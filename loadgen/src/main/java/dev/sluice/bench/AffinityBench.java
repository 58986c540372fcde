package dev.sluice.bench;

import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.loadgen.Conversations;
import dev.sluice.loadgen.Corpus;
import dev.sluice.loadgen.Loadgen;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./sluice bench affinity conversations|mixed|growth}: the endpoint choice, variant against variant, each
 * on fresh gpu-timed mocks (empty caches) behind a fresh node, with the same load.
 *
 * <ul>
 *   <li>{@code conversations}: multi-turn conversations ({@code loadgen --sessions}) over a short pool of
 *       {@code --mocks} instances, affinity on against off: prefix-cache hit rate (from the mocks' /metrics)
 *       and TTFT p50/p99;</li>
 *   <li>{@code mixed}: the Azure conv trace's sizes, open loop, over the same pool without keys: budget-weighted
 *       least budget in flight against the least loaded by requests in flight ({@code routing.load});</li>
 *   <li>{@code growth}: conversations that outgrow the short pool's context, over a short and a long pool: the
 *       TTFT of the turn that moves, and how often a conversation changes pools.</li>
 * </ul>
 *
 * Everything runs in this JVM (mocks, node, generator), so its TTFT includes the machine's scheduling delays: the
 * mocks' GPU time is modelled, the event loops' time is not.
 */
@Command(name = "affinity", description = "Endpoint choice side by side on gpu-timed mocks: conversation affinity "
    + "on and off, budget-weighted against least-loaded choice, conversations that outgrow the short pool.")
public final class AffinityBench implements Callable<Integer> {

  public AffinityBench() {
  }

  /** One variant: a name and the node's extra flags and environment. */
  private record Variant(String name, List<String> flags, Map<String, String> env) {
  }

  @Parameters(index = "0", paramLabel = "conversations|mixed|growth", description = "which comparison to run")
  String which;
  /**
   * The comparison's options: conversations and growth take --sessions, --turns, --think-time, --prompt-tokens,
   * --max-tokens, --mocks, --seed, --report; mixed takes --rate, --duration, --mocks, --seed.
   */
  @Unmatched
  List<String> rest = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<String> all = new ArrayList<>();
    all.add(which);
    all.addAll(rest);
    Map<String, String> o = options(all.toArray(String[]::new));
    switch (which) {
      case "conversations" -> conversations(o);
      case "mixed" -> mixed(o);
      case "growth" -> growth(o);
      default -> throw new IllegalArgumentException("unknown affinity bench '" + which + "'");
    }
    return 0;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("bad option " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }

  // ---- conversations ----------------------------------------------------------------------------------------

  private static void conversations(Map<String, String> o) throws Exception {
    List<Variant> variants = List.of(new Variant("affinity on", List.of("--routing-affinity", "on"), Map.of()),
        new Variant("affinity off", List.of("--routing-affinity", "off"), Map.of()));
    List<Conversations.Result> results = new ArrayList<>();
    Conversations.Options last = null;
    for (Variant v : variants) {
      try (Fleet fleet = new Fleet(Integer.parseInt(o.getOrDefault("mocks", "4")), 0, v)) {
        Conversations.Options c = conversationOptions(o, fleet, "32", "8", "300", "100");
        results.add(Conversations.run(fleet.vertx, c));
        last = c;
        System.out.printf(Locale.ROOT, "%n== %s%n%s", v.name(), Conversations.describe(c, results.get(results.size() - 1)));
      }
    }
    System.out.printf(Locale.ROOT, "%n%-14s %10s %12s %12s %16s %16s%n", "variant", "hit rate", "TTFT p50", "TTFT p99",
        "later turns p50", "later turns p99");
    for (int i = 0; i < variants.size(); i++) {
      Conversations.Result r = results.get(i);
      Later later = Later.of(r);
      System.out.printf(Locale.ROOT, "%-14s %9.1f%% %9.0f ms %9.0f ms %13.0f ms %13.0f ms%n", variants.get(i).name(),
          100 * r.hitRate(), r.all().ttftMs(0.5), r.all().ttftMs(0.99), later.p50, later.p99);
    }
    write(o, last, variants, results);
  }

  /** TTFT over turns 2 and later (the ones a cache can serve), pooled from the per-turn histograms. */
  private record Later(double p50, double p99) {
    static Later of(Conversations.Result r) {
      org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(Conversations.HOUR_NANOS, 3);
      for (int k = 1; k < r.turns().size() - 1; k++) {
        h.add(r.turns().get(k).ttftHistogram());
      }
      return h.getTotalCount() == 0 ? new Later(Double.NaN, Double.NaN)
          : new Later(h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
    }
  }

  private static Conversations.Options conversationOptions(Map<String, String> o, Fleet fleet, String sessions,
      String turns, String promptTokens, String maxTokens) {
    List<String> args = new ArrayList<>(List.of("--sessions", o.getOrDefault("sessions", sessions),
        "--turns", o.getOrDefault("turns", turns), "--think-time", o.getOrDefault("think-time", "2s"),
        "--prompt-tokens", o.getOrDefault("prompt-tokens", promptTokens),
        "--max-tokens", o.getOrDefault("max-tokens", maxTokens), "--seed", o.getOrDefault("seed", "1"),
        "--model", Fleet.MODEL, "--target", fleet.sluiceUrl(), "--corpus", Corpus.defaultDir().toString(),
        "--timeout", "120s", "--scrape", String.join(",", fleet.mockUrls())));
    return Conversations.parse(args.toArray(String[]::new));
  }

  // ---- mixed sizes ------------------------------------------------------------------------------------------

  private static void mixed(Map<String, String> o) throws Exception {
    List<Variant> variants = List.of(
        new Variant("budget, least loaded", List.of("--routing-affinity", "off"), Map.of("SLUICE_ROUTING_LOAD", "budget")),
        new Variant("requests, least loaded", List.of("--routing-affinity", "off"),
            Map.of("SLUICE_ROUTING_LOAD", "requests")));
    Path dir = Files.createTempDirectory("sluice-affinity-mixed");
    List<JsonObject> reports = new ArrayList<>();
    for (Variant v : variants) {
      try (Fleet fleet = new Fleet(Integer.parseInt(o.getOrDefault("mocks", "4")), 0, v)) {
        Path report = dir.resolve(v.name().replaceAll("[^a-z]+", "-") + ".json");
        String[] args = {"--target", fleet.sluiceUrl(), "--trace", Corpus.defaultDir().resolveSibling("azure")
            .resolve("AzureLLMInferenceTrace_conv.csv").toString(), "--rate", o.getOrDefault("rate", "6"),
            "--duration", o.getOrDefault("duration", "60s"), "--stream", "--model", Fleet.MODEL,
            "--seed", o.getOrDefault("seed", "1"), "--report", report.toString(), "--no-progress"};
        Loadgen.run(Loadgen.parse(args));
        reports.add(new JsonObject(Files.readString(report)));
        System.out.printf(Locale.ROOT, "== %s: %s%n", v.name(), report);
      }
    }
    System.out.printf(Locale.ROOT, "%n%-24s %10s %10s %10s %10s%n", "variant", "completed", "TTFT p50", "TTFT p90",
        "TTFT p99");
    for (int i = 0; i < variants.size(); i++) {
      JsonObject ttft = reports.get(i).getJsonObject("ttftMs");
      System.out.printf(Locale.ROOT, "%-24s %10d %7.0f ms %7.0f ms %7.0f ms%n", variants.get(i).name(),
          reports.get(i).getLong("completed"), ttft.getDouble("p50"), ttft.getDouble("p90"),
          ttft.getDouble("p99"));
    }
  }

  // ---- conversations that outgrow the short pool ------------------------------------------------------------

  private static void growth(Map<String, String> o) throws Exception {
    List<Variant> variants = List.of(new Variant("affinity on", List.of("--routing-affinity", "on"), Map.of()));
    List<Conversations.Result> results = new ArrayList<>();
    Conversations.Options last = null;
    for (Variant v : variants) {
      try (Fleet fleet = new Fleet(Integer.parseInt(o.getOrDefault("mocks", "4")), 1, v)) {
        Conversations.Options c = conversationOptions(o, fleet, "16", "16", "600", "200");
        results.add(Conversations.run(fleet.vertx, c));
        last = c;
        System.out.printf(Locale.ROOT, "%n== %s%n%s", v.name(), Conversations.describe(c, results.get(0)));
      }
    }
    write(o, last, variants, results);
  }

  private static void write(Map<String, String> o, Conversations.Options c, List<Variant> variants,
      List<Conversations.Result> results) throws Exception {
    if (!o.containsKey("report")) {
      return;
    }
    JsonObject out = new JsonObject();
    for (int i = 0; i < variants.size(); i++) {
      out.put(variants.get(i).name(), Conversations.toJson(c, results.get(i)));
    }
    Files.writeString(Path.of(o.get("report")), out.encodePrettily());
  }

  /** Fresh mocks (short, and long when asked) and one node in front of them, all closed together. */
  private static final class Fleet implements AutoCloseable {
    static final String MODEL = "meta-llama/Meta-Llama-3-70B-Instruct";

    final Vertx vertx = Vertx.vertx();
    private final List<Integer> shortPorts = new ArrayList<>();
    private final List<Integer> longPorts = new ArrayList<>();
    private final DispatcherMain.Node node;

    Fleet(int shortMocks, int longMocks, Variant variant) throws Exception {
      for (int i = 0; i < shortMocks; i++) {
        shortPorts.add(mock(PoolShape.named("short")));
      }
      for (int i = 0; i < longMocks; i++) {
        longPorts.add(mock(PoolShape.named("long")));
      }
      List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--pool",
          "short=8192@" + urls(shortPorts)));
      if (!longPorts.isEmpty()) {
        args.addAll(List.of("--pool", "long=65536@" + urls(longPorts)));
      }
      args.addAll(variant.flags());
      Map<String, String> env = new LinkedHashMap<>(variant.env());
      env.put("SLUICE_ACCESS_LOG_ENABLED", "false");
      node = DispatcherMain.start(args.toArray(String[]::new), env).await();
    }

    private int mock(PoolShape shape) {
      MockVllm m = new MockVllm(MockConfig.of(shape, CostModel.GPU, PromptCounter.Mode.CL100K).withModel(MODEL));
      vertx.deployVerticle(m).await();
      return m.actualPort();
    }

    private static String urls(List<Integer> ports) {
      return String.join(",", ports.stream().map(p -> "http://127.0.0.1:" + p).toList());
    }

    String sluiceUrl() {
      return "http://127.0.0.1:" + node.dispatcher().port();
    }

    List<String> mockUrls() {
      List<String> all = new ArrayList<>();
      for (int p : shortPorts) {
        all.add("http://127.0.0.1:" + p);
      }
      for (int p : longPorts) {
        all.add("http://127.0.0.1:" + p);
      }
      return all;
    }

    @Override
    public void close() {
      node.close();
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  static URI uri(String s) {
    return URI.create(s);
  }
}
