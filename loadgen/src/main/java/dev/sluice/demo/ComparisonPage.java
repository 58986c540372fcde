package dev.sluice.demo;

import dev.sluice.html.BarChart;
import dev.sluice.html.LineChart;
import dev.sluice.html.Page;
import dev.sluice.planner.PlanReport;
import dev.sluice.report.Overlay;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The demo's one page: the routed and the homogeneous fleet side by side. Their latency distributions and
 * throughput overlaid, how the routed fleet split its traffic, what each node learned, the misroutes and the
 * savings three ways (the formula, the planner, the live figures).
 */
final class ComparisonPage {
  private static final String ROUTED = "#1f77b4";
  private static final String HOMOGENEOUS = "#7f7f7f";
  private static final String[] NODE_COLORS = {"#2ca02c", "#9467bd"};

  private ComparisonPage() {
  }

  static String render(DemoSummary s, PlanReport plan, DemoOptions o) {
    Page page = new Page("Sluice demo: routed vs homogeneous fleet");
    page.h1("Sluice demo: routed vs homogeneous fleet");
    page.raw(s.passed() ? "<p class=\"good\">DEMO PASSED</p>"
        : "<p class=\"bad\">DEMO FAILED: " + Page.esc(String.join("; ", s.problems())) + "</p>");
    page.p(String.format(Locale.ROOT, "The same slice of the Azure conversation trace (prompts from the corpus, mixed "
            + "prose, code, JSON and Japanese) replayed at the same time through %d routed instances (%d short at "
            + "%,d tokens + %d long at %,d) behind two clustered dispatcher nodes, and through %d homogeneous "
            + "long instances behind one node. Mock GPUs run %.0fx faster than real ones: times are wall ms.",
        s.routed().instances(), Demo.SHORT_INSTANCES, o.shortContext(), Demo.LONG_INSTANCES, DemoOptions.LONG_CONTEXT,
        s.homogeneous().instances(), o.timeScale()));

    page.h2("Side by side");
    page.raw(Page.table(sideBySide(s)));
    Overlay.sections(page, List.of(new Overlay.Run("routed", s.routed().report()),
        new Overlay.Run("homogeneous", s.homogeneous().report())));
    LineChart pools = LineChart.of("ttft-cdf-pools", "TTFT by pool (CDF)").percentileAxis().axes("percentile", "ms")
        .size(640, 320);
    pools.add("homogeneous (all)", Overlay.cdfPoints(s.homogeneous().report(), "ttftMs"), HOMOGENEOUS, false);
    s.routed().report().getJsonObject("pools").forEach(e -> pools.add("routed " + e.getKey(),
        Overlay.cdfPoints((io.vertx.core.json.JsonObject) e.getValue(), "ttftMs"),
        e.getKey().equals(Demo.SHORT) ? ROUTED : "#d62728", true));
    page.row(pools.svg());

    page.h2("Routing split and misroutes");
    long total = s.routedSplit().values().stream().mapToLong(Long::longValue).sum();
    BarChart split = BarChart.of("routing-split", "Routed fleet: completed requests by pool")
        .categories(List.of("routed fleet")).yAxis("% of completed").size(420, 300)
        .format(v -> String.format(Locale.ROOT, "%.1f%%", v));
    String[] poolColors = {"#d62728", ROUTED};
    int c = 0;
    for (Map.Entry<String, Long> e : s.routedSplit().entrySet()) {
      split.add(e.getKey() + " (" + e.getValue() + ")", poolColors[c++ % poolColors.length], "split",
          total == 0 ? 0 : 100.0 * e.getValue() / total);
    }
    String misroutes = BarChart.of("misroutes", "Misroutes (both nodes)")
        .categories(List.of("under (retried long)", "over (sent long)")).counts()
        .yAxis("requests").size(480, 300)
        .add("misroutes", "#ff7f0e", "misroutes", s.misroutesUnder(), s.misroutesOver()).svg();
    page.row(split.svg(), misroutes);
    page.note(String.format(Locale.ROOT, "sluice_alpha (share routed short, as the nodes count it) %.3f; true share "
        + "of the slice within %,d tokens %.3f. An under-estimate costs one retry before anything reaches the "
        + "client; an over-estimate sends a request to the long pool that the short one could have served.",
        s.alphaLive(), o.shortContext(), s.alphaTrue()));

    page.h2("Calibration per category on each node");
    TreeSet<String> categories = new TreeSet<>();
    s.calibration().forEach(m -> categories.addAll(m.keySet()));
    List<String> names = new ArrayList<>(categories);
    BarChart calibration = BarChart.of("calibration", "Bytes per token learned from usage.prompt_tokens")
        .categories(names).yAxis("bytes / token").size(Math.max(640, 110 * names.size() + 240), 300)
        .format(v -> String.format(Locale.ROOT, "%.2f", v));
    for (int n = 0; n < s.calibration().size(); n++) {
      Map<String, Double> node = s.calibration().get(n);
      double[] values = names.stream().mapToDouble(k -> node.getOrDefault(k, Double.NaN)).toArray();
      String label = "node " + (char) ('A' + n);
      calibration.add(label, NODE_COLORS[n % NODE_COLORS.length], label, values);
    }
    page.raw(calibration.svg());
    page.note("The two nodes share their samples through the Hazelcast cluster (members seen: "
        + s.clusterMembers() + "), so each routes with what both learned.");

    page.h2("Savings");
    double liveSavings = s.rhoLive() > 1 ? s.alphaLive() * (1 - 1 / s.rhoLive()) : Double.NaN;
    page.raw("<p class=\"formula\">savings = &alpha; (1 &minus; 1/&rho;) = " + String.format(Locale.ROOT,
        "%.3f &times; (1 &minus; 1/%.2f) = %.1f%%", s.alphaLive(), s.rho(), 100 * s.projectedSavings()) + "</p>");
    page.raw(BarChart.of("savings", "Instances saved, as a share of a homogeneous fleet")
        .categories(List.of("formula", "planner", "live")).yAxis("% of instances").size(560, 300)
        .format(v -> String.format(Locale.ROOT, "%.1f%%", v))
        .add("savings", "#2ca02c", "savings", 100 * s.projectedSavings(), 100 * s.simulatedSavings(),
            Double.isNaN(liveSavings) ? 0 : 100 * liveSavings)
        .svg());
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("", "how", "savings"));
    rows.add(List.of("formula", String.format(Locale.ROOT, "live sluice_alpha %.3f with the planner's rho %.2f",
        s.alphaLive(), s.rho()), pct(s.projectedSavings())));
    rows.add(List.of("planner", String.format(Locale.ROOT, "%d homogeneous vs %s routed instances meeting TTFT P99 "
            + "<= %.0f ms in GPU time (first %,d rows at %.0f req/s)", s.instancesHomogeneous(), s.instancesRouted(),
        Demo.SLO_TTFT_P99_SECONDS * 1000, plan.requests(), Demo.PLANNER_RATE), pct(s.simulatedSavings())));
    rows.add(List.of("live", String.format(Locale.ROOT, "sluice_alpha %.3f and sluice_rho %s as the nodes measured "
            + "them (a %.0f s saturation phase; rho live counts output tokens per saturated instance-second)",
        s.alphaLive(), Double.isNaN(s.rhoLive()) ? "-" : String.format(Locale.ROOT, "%.2f", s.rhoLive()),
        s.saturationSeconds()), Double.isNaN(liveSavings) ? "-" : pct(liveSavings)));
    page.raw(Page.table(rows));
    page.note(String.format(Locale.ROOT, "On the same %d instances the routed fleet's TTFT p99 was %.0f ms against "
        + "%.0f ms: one short run on a shared machine, a sanity check; the planner sizes each fleet to the SLO.",
        s.routed().instances(), s.routed().ttftP99(), s.homogeneous().ttftP99()));
    return page.render();
  }

  private static List<List<String>> sideBySide(DemoSummary s) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("", "routed", "homogeneous"));
    rows.add(List.of("instances", s.routed().instances() + " (" + Demo.SHORT_INSTANCES + " short + "
        + Demo.LONG_INSTANCES + " long)", s.homogeneous().instances() + " (long)"));
    rows.add(row("completed", s.routed().completed(), s.homogeneous().completed()));
    rows.add(row("errors", s.routed().errors(), s.homogeneous().errors()));
    rows.add(row("TTFT p50 ms", s.routed().ttftP50(), s.homogeneous().ttftP50()));
    rows.add(row("TTFT p99 ms", s.routed().ttftP99(), s.homogeneous().ttftP99()));
    rows.add(row("end-to-end p50 ms", s.routed().e2eP50(), s.homogeneous().e2eP50()));
    rows.add(row("end-to-end p99 ms", s.routed().e2eP99(), s.homogeneous().e2eP99()));
    rows.add(row("preemptions (mocks)", s.routed().preemptions(), s.homogeneous().preemptions()));
    rows.add(row("output tokens/s per instance", s.routed().outputTokensPerSecondPerInstance(),
        s.homogeneous().outputTokensPerSecondPerInstance()));
    return rows;
  }

  private static List<String> row(String label, double routed, double homogeneous) {
    return List.of(label, num(routed), num(homogeneous));
  }

  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.1f", v);
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }
}
