package dev.sluice.report;

import dev.sluice.html.LineChart;
import dev.sluice.html.Page;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several load generator reports (schema {@code sluice.loadgen.v1}) drawn over each other: one summary table, the
 * TTFT and end-to-end CDFs overlaid and the throughput over time, one colour per run.
 */
public final class Overlay {

  /** One run: its name in the legend and its JSON report. */
  public record Run(String label, JsonObject report) {
  }

  private Overlay() {
  }

  /** The summary table, the CDFs side by side, then throughput over time. */
  public static void sections(Page page, List<Run> runs) {
    page.h2("Summary").raw(Page.table(summaryRows(runs)));
    List<String> behind = runs.stream().filter(r -> !r.report().getBoolean("valid", true)).map(Run::label).toList();
    if (!behind.isEmpty()) {
      page.note("The generator fell behind its schedule in " + String.join(", ", behind) + " (send lag p99 above "
          + "2 ms, a busy or CPU-starved machine): requests left late, so the latencies above understate what a "
          + "client on time would have seen.");
    }
    page.h2("Latency distributions");
    page.row(cdf("ttft-cdf", "Time to first token (CDF)", runs, "ttftMs"),
        cdf("latency-cdf", "End-to-end latency (CDF)", runs, "latencyMs"));
    page.note("Percentile axis in nines: 90%, 99%, 99.9%... each step ten times further into the tail. A line "
        + "to the left of another is faster at every percentile where it stays left.");
    page.h2("Throughput over time");
    LineChart completed = LineChart.of("throughput", "Completed requests per second").axes("seconds into the "
        + "measured phase", "req/s").size(760, 300);
    for (Run r : runs) {
      completed.add(r.label(), timeline(r.report(), "completed"));
    }
    LineChart inflight = LineChart.of("inflight", "Requests in flight").axes("seconds", "requests").size(560, 300);
    for (Run r : runs) {
      inflight.add(r.label(), timeline(r.report(), "inflight"));
    }
    page.row(completed.svg(), inflight.svg());
  }

  /** A CDF chart with one line per run (all pools together). */
  static String cdf(String id, String title, List<Run> runs, String key) {
    LineChart chart = LineChart.of(id, title).percentileAxis().axes("percentile", "ms").size(640, 320);
    for (Run r : runs) {
      chart.add(r.label(), cdfPoints(r.report(), key));
    }
    return chart.svg();
  }

  /**
   * {@code [percentile, ms]} points of one group's CDF, cut where its samples end: beyond 1/count the
   * percentiles say nothing new, so the line stops there with the maximum.
   */
  public static List<double[]> cdfPoints(JsonObject group, String key) {
    JsonArray cdf = group.getJsonObject("cdf", new JsonObject()).getJsonArray(key, new JsonArray());
    long count = group.getJsonObject(key, new JsonObject()).getLong("count", 0L);
    double last = 100 * (1 - Math.pow(10, -Math.max(1, Math.log10(Math.max(1, count)))));
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < cdf.size(); i++) {
      JsonArray p = cdf.getJsonArray(i);
      points.add(new double[] {Math.min(last, p.getDouble(0)), p.getDouble(1)});
    }
    return points;
  }

  /** {@code [t, value]} of one timeline field. */
  public static List<double[]> timeline(JsonObject report, String key) {
    JsonArray timeline = report.getJsonArray("timeline", new JsonArray());
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i++) {
      JsonObject s = timeline.getJsonObject(i);
      points.add(new double[] {s.getDouble("t", 0.0), s.getDouble(key, 0.0)});
    }
    return points;
  }

  static List<List<String>> summaryRows(List<Run> runs) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("run", "completed", "errors", "completed req/s", "TTFT p50 ms", "TTFT p99 ms", "e2e p50 ms",
        "e2e p99 ms", "ITL p50 ms", "goodput", "send lag p99 ms"));
    for (Run r : runs) {
      JsonObject j = r.report();
      rows.add(List.of(r.label(), Long.toString(j.getLong("completed", 0L)), Long.toString(j.getLong("errors", 0L)),
          f1(j.getDouble("completedRate", 0.0)), f1(p(j, "ttftMs", "p50")), f1(p(j, "ttftMs", "p99")),
          f1(p(j, "latencyMs", "p50")), f1(p(j, "latencyMs", "p99")), f1(p(j, "itlMs", "p50")),
          String.format(Locale.ROOT, "%.1f%%", 100 * j.getJsonObject("goodput", new JsonObject())
              .getDouble("fraction", 0.0)), f1(p(j, "sendLagMs", "p99"))));
    }
    return rows;
  }

  /** The same table as text, for the terminal. */
  public static String text(List<Run> runs) {
    List<List<String>> rows = summaryRows(runs);
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        String format = i == 0 ? "%-" + widths[i] + "s" : "  %" + widths[i] + "s";
        b.append(String.format(Locale.ROOT, format, row.get(i)));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static double p(JsonObject report, String key, String percentile) {
    return report.getJsonObject(key, new JsonObject()).getDouble(percentile, 0.0);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
