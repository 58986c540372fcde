package dev.sluice.demo;

import dev.sluice.planner.PlanReport;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The demo's printed summary. */
final class DemoText {

  private DemoText() {
  }

  static String render(DemoSummary s, PlanReport plan, DemoOptions o, double wallSeconds) {
    StringBuilder b = new StringBuilder();
    f(b, "%n==== Sluice demo summary (%.0f s wall) ====%n", wallSeconds);
    f(b, "Times are wall ms; the mocks run %.0fx faster than a GPU, so GPU-time = wall x %.0f.%n",
        o.timeScale(), o.timeScale());

    long total = s.routedSplit().values().stream().mapToLong(Long::longValue).sum();
    f(b, "%nRouting split (routed fleet, completed, by x-sluice-pool):");
    s.routedSplit().forEach((pool, n) -> f(b, "  %s %d (%.1f%%)", pool, n, total == 0 ? 0 : 100.0 * n / total));
    f(b, "%nMisroutes: %d under (context-length error on short, retried long), %d over (sent long, fitted short)%n",
        s.misroutesUnder(), s.misroutesOver());

    f(b, "%nCalibration per category (bytes/token learned from usage.prompt_tokens), node A | node B:%n");
    TreeSet<String> categories = new TreeSet<>();
    s.calibration().forEach(m -> categories.addAll(m.keySet()));
    for (String c : categories) {
      f(b, "  %-8s", c);
      for (Map<String, Double> node : s.calibration()) {
        Double v = node.get(c);
        f(b, " %8s", v == null ? "-" : String.format(Locale.ROOT, "%.3f", v));
      }
      b.append('\n');
    }
    f(b, "  (the nodes share their samples through the Hazelcast cluster; members seen: %s)%n", s.clusterMembers());

    f(b, "%n%-34s %14s %14s%n", "", "routed", "homogeneous");
    f(b, "%-34s %14s %14s%n", "instances", s.routed().instances() + " (" + Demo.SHORT_INSTANCES + "S+"
        + Demo.LONG_INSTANCES + "L)", s.homogeneous().instances() + " (L)");
    row(b, "completed", s.routed().completed(), s.homogeneous().completed());
    row(b, "errors", s.routed().errors(), s.homogeneous().errors());
    row(b, "TTFT p50 ms", s.routed().ttftP50(), s.homogeneous().ttftP50());
    row(b, "TTFT p99 ms", s.routed().ttftP99(), s.homogeneous().ttftP99());
    row(b, "end-to-end p50 ms", s.routed().e2eP50(), s.homogeneous().e2eP50());
    row(b, "end-to-end p99 ms", s.routed().e2eP99(), s.homogeneous().e2eP99());
    row(b, "preemptions (mocks)", s.routed().preemptions(), s.homogeneous().preemptions());

    s.poolTtft().forEach((pool, t) -> f(b, "%-34s %14s%n", "  routed " + pool + " pool TTFT p50/p99",
        num(t[0]) + "/" + num(t[1])));
    f(b, "%nalpha: %.3f live (sluice_alpha, share routed short) vs %.3f true (prompt + output of the slice "
        + "within %d tokens;%n       live counts routing decisions, warm-up and misroute retries included)%n",
        s.alphaLive(), s.alphaTrue(), o.shortContext());
    f(b, "rho:   %.2f planner: long-configured over short instances for the same short traffic at the SLO "
        + "(saturated-throughput ratio %.2f)%n", s.rho(), plan.rhoSaturation());
    f(b, "       %s live: sluice_rho as the nodes measured it in a %.0f s saturation phase: generation tokens per "
        + "saturated%n       instance-second of the short pool over the long pool, each on its own traffic (long "
        + "requests are mostly prefill,%n       so they yield fewer output tokens per second: the two answer "
        + "different questions)%n", Double.isNaN(s.rhoLive()) ? "   -" : String.format(Locale.ROOT, "%.2f",
        s.rhoLive()), s.saturationSeconds());
    f(b, "%nSavings, as a share of a homogeneous fleet's instances:%n");
    f(b, "  predicted  alpha (1 - 1/rho)                   = %5.1f%%%n", 100 * s.projectedSavings());
    f(b, "  simulated  planner, same trace and router        = %5.1f%%  (%d homogeneous vs %s routed instances "
        + "meeting TTFT P99 <= %.0f ms in GPU time, first %d rows at %.0f req/s)%n",
        100 * s.simulatedSavings(), s.instancesHomogeneous(), s.instancesRouted(),
        Demo.SLO_TTFT_P99_SECONDS * 1000, plan.requests(), Demo.PLANNER_RATE);
    f(b, "  live       same %d instances, same slice: TTFT p99 %.0f ms routed vs %.0f ms homogeneous "
        + "(one short run on a shared machine: read it as a sanity check, the planner sizes each fleet to the SLO)%n",
        s.routed().instances(), s.routed().ttftP99(), s.homogeneous().ttftP99());
    f(b, "%nComparison page: %s%nJSON reports:    %s%n                 %s%n", s.page(), s.routed().reportFile(),
        s.homogeneous().reportFile());
    if (s.problems().isEmpty()) {
      f(b, "%nDEMO PASSED%n");
    } else {
      f(b, "%nDEMO FAILED:%n");
      s.problems().forEach(p -> f(b, "  - %s%n", p));
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String label, double routed, double hom) {
    f(b, "%-34s %14s %14s%n", label, num(routed), num(hom));
  }

  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static void f(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args));
  }
}
