package dev.sluice.loadgen;

import dev.sluice.html.LineChart;
import dev.sluice.html.Page;
import dev.sluice.report.Overlay;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A self-contained HTML page (inline SVG, no scripts, no external resources) drawn from one JSON report. */
public final class HtmlReport {

  private HtmlReport() {
  }

  public static String render(JsonObject report) {
    Page page = new Page("Sluice load report");
    JsonObject config = report.getJsonObject("config");
    page.h1("Sluice load report");
    page.raw("<p>target <code>" + Page.esc(config.getString("target", "")) + "</code> &middot; "
        + Page.esc(config.encode()) + "</p>");
    page.raw("<p class=\"" + (report.getBoolean("valid") ? "" : "bad") + "\">" + Page.esc(report.getString("validity"))
        + "</p>");
    page.p(String.format(Locale.ROOT, "scheduled %d · sent %d · completed %d · errors %d · blocked %d · "
            + "unfinished %d · achieved %.1f req/s · completed %.1f req/s", report.getLong("scheduled"),
        report.getLong("sent"), report.getLong("completed"), report.getLong("errors"), report.getLong("blocked"),
        report.getLong("unfinished"), report.getDouble("achievedRate"), report.getDouble("completedRate")));
    page.raw(Page.table(summaryRows(report)));

    Map<String, JsonObject> groups = new LinkedHashMap<>();
    groups.put("all", report);
    report.getJsonObject("pools").forEach(e -> groups.put(e.getKey(), (JsonObject) e.getValue()));
    page.row(cdf("latency-cdf", "End-to-end latency by percentile", groups, "latencyMs"),
        cdf("ttft-cdf", "Time to first token by percentile", groups, "ttftMs"));

    LineChart rates = LineChart.of("throughput", "Throughput over time").axes("seconds", "req/s");
    rates.add("sent", Overlay.timeline(report, "sent"));
    rates.add("completed", Overlay.timeline(report, "completed"));
    rates.add("errors", Overlay.timeline(report, "errors"));
    JsonArray timeline = report.getJsonArray("timeline");
    for (String pool : report.getJsonObject("pools").fieldNames()) {
      List<double[]> points = new ArrayList<>();
      for (int i = 0; i < timeline.size(); i++) {
        JsonObject s = timeline.getJsonObject(i);
        points.add(new double[] {s.getDouble("t"), s.getJsonObject("completedByPool").getLong(pool, 0L)});
      }
      rates.add("completed " + pool, points);
    }
    page.row(rates.svg(),
        LineChart.of("inflight", "In flight over time").axes("seconds", "requests")
            .add("in flight", Overlay.timeline(report, "inflight")).svg(),
        LineChart.of("p99", "p99 end-to-end latency per second").axes("seconds", "ms")
            .add("p99", Overlay.timeline(report, "p99Ms")).svg());
    return page.render();
  }

  private static List<List<String>> summaryRows(JsonObject report) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("ms", "count", "mean", "p50", "p90", "p99", "p99.9", "max"));
    rows.add(row("send lag", report.getJsonObject("sendLagMs")));
    groupRows(rows, "", report);
    report.getJsonObject("pools").forEach(e -> groupRows(rows, e.getKey() + " ", (JsonObject) e.getValue()));
    return rows;
  }

  private static void groupRows(List<List<String>> rows, String prefix, JsonObject g) {
    for (String key : new String[] {"latencyMs", "ttftMs", "itlMs", "tpotMs"}) {
      if (g.getJsonObject(key).getLong("count") > 0) {
        rows.add(row(prefix + key.replace("Ms", ""), g.getJsonObject(key)));
      }
    }
  }

  private static List<String> row(String name, JsonObject p) {
    List<String> cells = new ArrayList<>();
    cells.add(name);
    cells.add(Long.toString(p.getLong("count")));
    for (String k : new String[] {"mean", "p50", "p90", "p99", "p999", "max"}) {
      cells.add(String.format(Locale.ROOT, "%.3f", p.getDouble(k)));
    }
    return cells;
  }

  private static String cdf(String id, String title, Map<String, JsonObject> groups, String key) {
    LineChart chart = LineChart.of(id, title).percentileAxis().axes("percentile", "ms");
    groups.forEach((name, g) -> chart.add(name, Overlay.cdfPoints(g, key)));
    return chart.svg();
  }
}
