package dev.sluice.planner;

import dev.sluice.html.BarChart;
import dev.sluice.html.LineChart;
import dev.sluice.html.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./sluice plan --html FILE}: what the planner decided, as a page for a design review. Instances per pool
 * for each baseline and threshold, the savings over thresholds, TTFT per class and preemptions.
 */
public final class PlanPage {
  private static final String HOMOGENEOUS = "#7f7f7f";
  private static final String SHORT = "#1f77b4";
  private static final String LONG = "#d62728";

  /** The plans of one short-pool threshold, one per baseline max_num_seqs, and their verdict. */
  public record Threshold(int tokens, List<PlanReport> reports, String verdict) {
  }

  private PlanPage() {
  }

  public static String render(String source, List<Threshold> thresholds, ShapeScaling shapes, int longContext) {
    PlanReport first = thresholds.get(0).reports().get(0);
    Page page = new Page("Sluice plan: " + source);
    page.h1("Sluice plan: " + source);
    page.p(String.format(Locale.ROOT, "%,d requests over %.0f s (%.1f req/s); every fleet sized to a TTFT P99 of "
            + "%.0f ms (%s); long pool and homogeneous fleet at %,d tokens of context; %s.", first.requests(),
        first.spanSeconds(), first.rate(), first.config().sloTtftP99Seconds() * 1000,
        first.objective().scope() == Planner.Scope.FLEET ? "over each fleet" : "over each class of requests",
        longContext, first.shapes()));
    for (Threshold t : thresholds) {
      page.raw("<p><b>" + Page.esc(String.format(Locale.ROOT, "Short pool at %,d tokens:", t.tokens())) + "</b> "
          + Page.esc(t.verdict()) + "</p>");
    }

    List<String> labels = new ArrayList<>();
    List<PlanReport> plans = new ArrayList<>();
    for (Threshold t : thresholds) {
      for (PlanReport r : t.reports()) {
        labels.add(String.format(Locale.ROOT, "%,d tok · %d seqs", t.tokens(), r.longMaxNumSeqs()));
        plans.add(r);
      }
    }
    int barWidth = Math.max(640, 150 * labels.size() + 240);

    page.h2("Instances per pool");
    page.raw(BarChart.of("instances", "Instances: homogeneous vs routed (short + long)").categories(labels)
        .yAxis("instances").counts().size(barWidth, 320)
        .add("homogeneous", HOMOGENEOUS, "homogeneous", values(plans, r -> r.instancesHomogeneous()))
        .add("routed short", SHORT, "routed", values(plans, r -> r.instancesShort()))
        .add("routed long", LONG, "routed", values(plans, r -> r.instancesLong()))
        .svg());
    page.note("Each bar pair is one plan: the short pool's context (the routing threshold) and the long "
        + "configuration's max_num_seqs, the baseline both fleets run their long instances at.");

    page.h2("Savings over thresholds");
    LineChart savings = LineChart.of("savings", "Share of the homogeneous fleet's instances saved")
        .axes("short pool context (tokens)", "% of instances").size(720, 320);
    List<Integer> baselines = thresholds.get(0).reports().stream().map(PlanReport::longMaxNumSeqs).toList();
    for (int b = 0; b < baselines.size(); b++) {
      List<double[]> simulated = new ArrayList<>();
      List<double[]> formula = new ArrayList<>();
      for (Threshold t : thresholds) {
        PlanReport r = t.reports().get(b);
        simulated.add(new double[] {t.tokens(), 100 * r.savingsSimulated()});
        formula.add(new double[] {t.tokens(), 100 * r.savingsFormula()});
      }
      String color = palette(b);
      savings.add("simulated, " + baselines.get(b) + " seqs", simulated, color, false);
      savings.add("alpha(1-1/rho), " + baselines.get(b) + " seqs", formula, color, true);
    }
    page.raw(savings.svg());
    page.note("Solid: what the planner simulated (instances each fleet needs at the SLO). Dashed: the paper's "
        + "formula alpha (1 - 1/rho) from the same plan's alpha and rho. Below zero the routed fleet needs more "
        + "instances than the homogeneous one.");

    page.h2("TTFT P99 per class");
    page.row(ttft("ttft-short", "Short requests: TTFT P99", labels, plans, true),
        ttft("ttft-long", "Long requests: TTFT P99", labels, plans, false));

    page.h2("Preemptions");
    page.raw(BarChart.of("preemptions", "Preemptions per 1,000 requests").categories(labels)
        .yAxis("per 1k requests").size(barWidth, 300)
        .add("homogeneous", HOMOGENEOUS, "homogeneous", values(plans, PlanReport::preemptionsPer1kHomogeneous))
        .add("routed", SHORT, "routed", values(plans, PlanReport::preemptionsPer1kRouted))
        .svg());
    if (plans.stream().allMatch(r -> r.preemptionsPer1kHomogeneous() == 0 && r.preemptionsPer1kRouted() == 0)) {
      page.note("No fleet preempted a request in any of these plans: every KV cache held its running sequences.");
    }

    page.h2("Every figure");
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("plan", "alpha", "rho", "instances h / r (short + long)", "savings simulated",
        "formula", "TTFT p99 short h / r ms", "TTFT p99 long h / r ms", "preempt/1k h / r", "yearly saving"));
    for (int i = 0; i < plans.size(); i++) {
      PlanReport r = plans.get(i);
      rows.add(List.of(labels.get(i), f("%.3f", r.alpha()), f("%.2f", r.rho()),
          f("%d / %d (%d + %d)", r.instancesHomogeneous(), r.instancesRouted(), r.instancesShort(), r.instancesLong()),
          f("%.1f%%", 100 * r.savingsSimulated()), f("%.1f%%", 100 * r.savingsFormula()),
          f("%.0f / %.0f", r.ttftP99HomogeneousShortSeconds() * 1000, r.ttftP99RoutedShortSeconds() * 1000),
          f("%.0f / %.0f", r.ttftP99HomogeneousLongSeconds() * 1000, r.ttftP99RoutedLongSeconds() * 1000),
          f("%.1f / %.1f", r.preemptionsPer1kHomogeneous(), r.preemptionsPer1kRouted()),
          money(r.yearlyCostHomogeneous() - r.yearlyCostRouted())));
    }
    page.raw(Page.table(rows));
    page.note(String.format(Locale.ROOT, "Full context per slot: %,d KV tokens / %,d = %d sequences; vLLM's "
            + "default max_num_seqs on %s is %d.", shapes.kvTokens(), longContext,
        shapes.fullContextSafeMaxNumSeqs(longContext), shapes.gpu(), shapes.vllmDefaultMaxNumSeqs()));
    return page.render();
  }

  private static String ttft(String id, String title, List<String> labels, List<PlanReport> plans,
      boolean shortClass) {
    return BarChart.of(id, title).categories(labels).yAxis("ms").size(Math.max(560, 150 * labels.size() + 220), 300)
        .format(v -> String.format(Locale.ROOT, "%,.0f", v))
        .add("homogeneous", HOMOGENEOUS, "homogeneous", values(plans, r -> 1000 * (shortClass
            ? r.ttftP99HomogeneousShortSeconds() : r.ttftP99HomogeneousLongSeconds())))
        .add("routed", shortClass ? SHORT : LONG, "routed", values(plans, r -> 1000 * (shortClass
            ? r.ttftP99RoutedShortSeconds() : r.ttftP99RoutedLongSeconds())))
        .svg();
  }

  private static double[] values(List<PlanReport> plans, java.util.function.ToDoubleFunction<PlanReport> f) {
    return plans.stream().mapToDouble(f).toArray();
  }

  private static String palette(int i) {
    String[] colors = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    return colors[i % colors.length];
  }

  /** {@code $1,234} or {@code -$1,234}. */
  private static String money(double v) {
    return (v < 0 ? "-" : "") + f("$%,.0f", Math.abs(v));
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
