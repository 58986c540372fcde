package dev.sluice.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A self-contained HTML page (inline SVG, no scripts, no external resources) drawn from a JSON report. */
public final class HtmlReport {

  private static final int WIDTH = 720;
  private static final int HEIGHT = 300;
  private static final int LEFT = 64;
  private static final int RIGHT = 150;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  /** The x axis of the CDFs ends at six nines. */
  private static final double MAX_NINES = 6;

  private HtmlReport() {
  }

  public static String render(JsonObject report) {
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Sluice load report</title><style>")
        .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}")
        .append("td:first-child{text-align:left}.bad{color:#b00;font-weight:bold}svg{display:block;margin:8px 0 24px}")
        .append("</style></head><body>");
    JsonObject config = report.getJsonObject("config");
    b.append("<h1>Sluice load report</h1><p>target <code>").append(esc(config.getString("target", "")))
        .append("</code> &middot; ").append(esc(config.encode())).append("</p>");
    b.append("<p class=\"").append(report.getBoolean("valid") ? "" : "bad").append("\">")
        .append(esc(report.getString("validity"))).append("</p>");
    b.append(String.format(Locale.ROOT,
        "<p>scheduled %d &middot; sent %d &middot; completed %d &middot; errors %d &middot; blocked %d &middot; "
            + "unfinished %d &middot; achieved %.1f req/s &middot; completed %.1f req/s</p>",
        report.getLong("scheduled"), report.getLong("sent"), report.getLong("completed"), report.getLong("errors"),
        report.getLong("blocked"), report.getLong("unfinished"), report.getDouble("achievedRate"),
        report.getDouble("completedRate")));
    summaryTable(b, report);

    Map<String, JsonObject> groups = new LinkedHashMap<>();
    groups.put("all", report);
    report.getJsonObject("pools").forEach(e -> groups.put(e.getKey(), (JsonObject) e.getValue()));
    cdfChart(b, "End-to-end latency by percentile", groups, "latencyMs");
    cdfChart(b, "Time to first token by percentile", groups, "ttftMs");

    JsonArray timeline = report.getJsonArray("timeline");
    Map<String, List<double[]>> rates = new LinkedHashMap<>();
    rates.put("sent", series(timeline, "sent"));
    rates.put("completed", series(timeline, "completed"));
    rates.put("errors", series(timeline, "errors"));
    for (String pool : report.getJsonObject("pools").fieldNames()) {
      List<double[]> points = new ArrayList<>();
      for (int i = 0; i < timeline.size(); i++) {
        JsonObject s = timeline.getJsonObject(i);
        points.add(new double[] {s.getDouble("t"), s.getJsonObject("completedByPool").getLong(pool, 0L)});
      }
      rates.put("completed " + pool, points);
    }
    b.append("<h2>Throughput over time (requests per second)</h2>");
    lineChart(b, rates, "seconds", "req/s", false);
    b.append("<h2>In flight over time</h2>");
    lineChart(b, Map.of("in flight", series(timeline, "inflight")), "seconds", "requests", false);
    b.append("<h2>p99 end-to-end latency per second</h2>");
    lineChart(b, Map.of("p99", series(timeline, "p99Ms")), "seconds", "ms", false);
    b.append("</body></html>\n");
    return b.toString();
  }

  private static void summaryTable(StringBuilder b, JsonObject report) {
    b.append("<table><tr><th>ms</th><th>count</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th>")
        .append("<th>max</th></tr>");
    row(b, "send lag", report.getJsonObject("sendLagMs"));
    groupRows(b, "", report);
    report.getJsonObject("pools").forEach(e -> groupRows(b, e.getKey() + " ", (JsonObject) e.getValue()));
    b.append("</table>");
  }

  private static void groupRows(StringBuilder b, String prefix, JsonObject g) {
    for (String key : new String[] {"latencyMs", "ttftMs", "itlMs", "tpotMs"}) {
      if (g.getJsonObject(key).getLong("count") > 0) {
        row(b, prefix + key.replace("Ms", ""), g.getJsonObject(key));
      }
    }
  }

  private static void row(StringBuilder b, String name, JsonObject p) {
    b.append("<tr><td>").append(esc(name)).append("</td><td>").append(p.getLong("count")).append("</td>");
    for (String k : new String[] {"mean", "p50", "p90", "p99", "p999", "max"}) {
      b.append(String.format(Locale.ROOT, "<td>%.3f</td>", p.getDouble(k)));
    }
    b.append("</tr>");
  }

  private static void cdfChart(StringBuilder b, String title, Map<String, JsonObject> groups, String key) {
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    groups.forEach((name, g) -> {
      JsonArray cdf = g.getJsonObject("cdf").getJsonArray(key);
      // beyond 1/count the percentiles say nothing new: the axis stops where the samples do, the max sits there
      double lastNines = Math.min(MAX_NINES, Math.max(1, Math.log10(Math.max(1, g.getJsonObject(key).getLong("count")))));
      List<double[]> points = new ArrayList<>();
      for (int i = 0; i < cdf.size(); i++) {
        JsonArray p = cdf.getJsonArray(i);
        points.add(new double[] {Math.min(lastNines, nines(p.getDouble(0))), p.getDouble(1)});
      }
      if (!points.isEmpty()) {
        series.put(name, points);
      }
    });
    b.append("<h2>").append(esc(title)).append("</h2>");
    lineChart(b, series, "percentile", "ms", true);
  }

  /** 0 → 0, 90 → 1, 99 → 2, ...: the usual HdrHistogram percentile axis. */
  private static double nines(double percentile) {
    return percentile >= 100 ? MAX_NINES : Math.min(MAX_NINES, -Math.log10(1 - percentile / 100));
  }

  private static List<double[]> series(JsonArray timeline, String key) {
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i++) {
      JsonObject s = timeline.getJsonObject(i);
      points.add(new double[] {s.getDouble("t"), s.getDouble(key)});
    }
    return points;
  }

  private static void lineChart(StringBuilder b, Map<String, List<double[]>> series, String xLabel, String yLabel,
      boolean ninesAxis) {
    double maxX = 0;
    double maxY = 0;
    for (List<double[]> points : series.values()) {
      for (double[] p : points) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    if (ninesAxis) {
      maxX = Math.max(1, Math.ceil(maxX));
    }
    maxX = maxX <= 0 ? 1 : ninesAxis ? maxX : niceCeiling(maxX);
    maxY = niceCeiling(maxY);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-size=\"11\">", WIDTH, HEIGHT));
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#999\"/>", LEFT, TOP, plotW, plotH));
    for (int i = 0; i <= 4; i++) {
      double v = maxY * i / 4;
      double y = TOP + plotH - plotH * i / 4.0;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT, LEFT + plotW, y, y, LEFT - 4, y + 4,
          label(v)));
    }
    int xTicks = ninesAxis ? (int) maxX : 5;
    for (int i = 0; i <= xTicks; i++) {
      double v = maxX * i / xTicks;
      double x = LEFT + plotW * i / (double) xTicks;
      String text = ninesAxis ? ninesLabel(v) : label(v);
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x,
          TOP + plotH + 14, text));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
        + "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>",
        LEFT + plotW / 2, HEIGHT - 6, esc(xLabel), TOP + plotH / 2, TOP + plotH / 2, esc(yLabel)));
    int color = 0;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      String c = COLORS[color % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : e.getValue()) {
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * p[0] / maxX,
            TOP + plotH - plotH * Math.min(p[1], maxY) / maxY));
      }
      b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(c).append("\" points=\"")
          .append(pts).append("\"/>");
      int ly = TOP + 12 + 16 * color;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>", LEFT + plotW + 10, LEFT + plotW + 26, ly - 4,
          ly - 4, c, LEFT + plotW + 30, ly, esc(e.getKey())));
      color++;
    }
    b.append("</svg>");
  }

  private static String ninesLabel(double nines) {
    if (nines <= 0) {
      return "0%";
    }
    double p = 100 * (1 - Math.pow(10, -nines));
    return String.format(Locale.ROOT, "%s%%", new java.math.BigDecimal(p).round(new java.math.MathContext(
        (int) Math.round(nines) + 1)).stripTrailingZeros().toPlainString());
  }

  private static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String label(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
