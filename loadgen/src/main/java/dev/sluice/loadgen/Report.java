package dev.sluice.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The JSON report of a run (schema in docs/loadgen.md) and its text summary. */
public final class Report {

  public static final String SCHEMA = "sluice.loadgen.v1";
  /** Percentiles at which the CDFs in the report are sampled. */
  private static final double[] CDF_PERCENTILES = cdfPercentiles();

  private Report() {
  }

  /**
   * @param config the run's settings as given (echoed into the report)
   */
  public static JsonObject json(RunResult r, JsonObject config) {
    JsonObject out = new JsonObject()
        .put("schema", SCHEMA)
        .put("config", config)
        .put("durationS", round(r.durationNanos() / 1e9))
        .put("scheduled", r.scheduled())
        .put("sent", r.sent())
        .put("completed", r.completed())
        .put("errors", r.errors())
        .put("blocked", r.blocked())
        .put("unfinished", r.unfinished())
        .put("achievedRate", round(r.achievedRate()))
        .put("completedRate", round(r.completedRate()))
        .put("valid", r.valid())
        .put("validity", r.valid() ? "send-lag p99 within " + LoadSpec.MAX_SEND_LAG_P99_MILLIS + " ms"
            : String.format(Locale.ROOT, "INVALID: send-lag p99 %.2f ms > %.1f ms, the generator fell behind",
                r.sendLagP99Millis(), LoadSpec.MAX_SEND_LAG_P99_MILLIS))
        .put("errorsByKind", new JsonObject(Map.copyOf(r.errorsByKind())))
        .put("errorsByType", new JsonObject(Map.copyOf(r.errorsByType())))
        .put("sendLagMs", percentiles(r.sendLag()))
        .put("queueWaitMs", percentiles(r.queueWait()))
        .put("spanS", round(r.spanNanos() / 1e9));
    double sloTtft = config.getDouble("sloTtftMs", 0.0);
    double sloTpot = config.getDouble("sloTpotMs", 0.0);
    group(out, r.overall(), r.durationNanos(), sloTtft, sloTpot);
    out.getJsonObject("goodput").put("ofScheduled",
        r.scheduled() == 0 ? 0 : round((double) r.overall().good() / r.scheduled()));
    JsonObject pools = new JsonObject();
    r.pools().forEach((name, g) -> {
      JsonObject p = new JsonObject();
      group(p, g, r.durationNanos(), sloTtft, sloTpot);
      pools.put(name, p);
    });
    out.put("pools", pools);
    JsonArray timeline = new JsonArray();
    for (RunResult.Second s : r.timeline()) {
      timeline.add(new JsonObject().put("t", round(s.t())).put("sent", s.sent()).put("completed", s.completed())
          .put("errors", s.errors()).put("inflight", s.inflight()).put("p99Ms", round(s.p99Millis()))
          .put("completedByPool", new JsonObject(Map.copyOf(s.completedByPool()))));
    }
    out.put("timeline", timeline);
    return out;
  }

  private static void group(JsonObject out, RunResult.Group g, long durationNanos, double sloTtftMs,
      double sloTpotMs) {
    double seconds = durationNanos / 1e9;
    out.put("completed", g.completed())
        .put("errors", g.errors())
        .put("inputTokens", g.inputTokens())
        .put("usage", new JsonObject().put("answers", g.usage().answers())
            .put("inputTokens", g.usage().inputTokens()).put("outputTokens", g.usage().outputTokens()))
        .put("outputEvents", g.tokens())
        .put("outputEventsPerS", seconds == 0 ? 0 : round(g.tokens() / seconds))
        .put("goodput", new JsonObject()
            .put("sloTtftMs", sloTtftMs)
            .put("sloTpotMs", sloTpotMs)
            .put("requests", g.good())
            .put("rate", seconds == 0 ? 0 : round(g.good() / seconds))
            .put("fraction", g.completed() + g.errors() == 0 ? 0 : round((double) g.good() / (g.completed() + g.errors()))))
        .put("latencyMs", percentiles(g.latency()))
        .put("ttftMs", percentiles(g.ttft()))
        .put("itlMs", percentiles(g.itl()))
        .put("tpotMs", percentiles(g.tpot()))
        .put("cdf", new JsonObject().put("latencyMs", cdf(g.latency())).put("ttftMs", cdf(g.ttft())));
  }

  /** {@code count, mean, p50, p90, p99, p999, max} in milliseconds (zeros when empty). */
  static JsonObject percentiles(Histogram h) {
    boolean empty = h.getTotalCount() == 0;
    return new JsonObject()
        .put("count", h.getTotalCount())
        .put("mean", empty ? 0 : round(h.getMean() / 1000.0))
        .put("p50", ms(h, 50, empty))
        .put("p90", ms(h, 90, empty))
        .put("p99", ms(h, 99, empty))
        .put("p999", ms(h, 99.9, empty))
        .put("max", empty ? 0 : round(h.getMaxValue() / 1000.0));
  }

  /** {@code [[percentile, ms], ...]} sampled densely toward the tail. */
  private static JsonArray cdf(Histogram h) {
    JsonArray points = new JsonArray();
    if (h.getTotalCount() == 0) {
      return points;
    }
    for (double p : CDF_PERCENTILES) {
      points.add(new JsonArray().add(p).add(round(h.getValueAtPercentile(p) / 1000.0)));
    }
    points.add(new JsonArray().add(100.0).add(round(h.getMaxValue() / 1000.0)));
    return points;
  }

  private static double[] cdfPercentiles() {
    double[] ps = new double[60];
    int n = 0;
    for (int i = 0; i <= 20; i++) {
      ps[n++] = i * 4.5;
    }
    // 90 .. 99.999 on a log scale of the tail
    for (int i = 1; n < ps.length; i++) {
      double tail = 10 * Math.pow(10, -4.0 * i / (ps.length - 21));
      ps[n++] = Math.round((100 - tail) * 10000) / 10000.0;
    }
    return ps;
  }

  private static double ms(Histogram h, double percentile, boolean empty) {
    return empty ? 0 : round(h.getValueAtPercentile(percentile) / 1000.0);
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** The human summary printed on stdout. */
  public static String text(JsonObject report) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "target %s  api %s  %s  duration %.1fs%n",
        report.getJsonObject("config").getString("target"), report.getJsonObject("config").getString("api", "chat"),
        report.getString("validity"), report.getDouble("durationS")));
    b.append(String.format(Locale.ROOT,
        "scheduled %d  sent %d  completed %d  errors %d  blocked %d  unfinished %d  achieved %.1f req/s  completed %.1f req/s%n",
        report.getLong("scheduled"), report.getLong("sent"), report.getLong("completed"), report.getLong("errors"),
        report.getLong("blocked"), report.getLong("unfinished"), report.getDouble("achievedRate"),
        report.getDouble("completedRate")));
    if (!report.getJsonObject("errorsByKind").isEmpty()) {
      b.append("errors by kind ").append(report.getJsonObject("errorsByKind").encode()).append('\n');
    }
    JsonObject types = report.getJsonObject("errorsByType", new JsonObject());
    if (!types.isEmpty()) {
      b.append("errors by type ").append(types.encode()).append('\n');
    }
    JsonObject usage = report.getJsonObject("usage", new JsonObject());
    if (usage.getLong("answers", 0L) > 0) {
      b.append(String.format(Locale.ROOT, "usage stated by %d answers: %d input tokens, %d output tokens%n",
          usage.getLong("answers"), usage.getLong("inputTokens"), usage.getLong("outputTokens")));
    }
    b.append(String.format(Locale.ROOT, "%-18s %8s %9s %9s %9s %9s %9s %9s%n", "ms", "count", "mean", "p50", "p90",
        "p99", "p99.9", "max"));
    row(b, "send lag", report.getJsonObject("sendLagMs"));
    JsonObject config = report.getJsonObject("config");
    if (config.getInteger("maxConcurrency", 0) > 0) {
      row(b, "queue wait", report.getJsonObject("queueWaitMs"));
    }
    groupRows(b, "", report);
    report.getJsonObject("pools").forEach(e -> groupRows(b, e.getKey() + " ", (JsonObject) e.getValue()));
    if (config.getInteger("maxConcurrency", 0) > 0) {
      b.append(String.format(Locale.ROOT, "latency and ttft include the wait for one of %d concurrency slots per "
          + "target (queue wait above)%n", config.getInteger("maxConcurrency")));
    }
    JsonObject goodput = report.getJsonObject("goodput");
    b.append(String.format(Locale.ROOT, "goodput (%s): %d requests, %.1f req/s, %.1f%% of answered, %.1f%% of "
        + "scheduled%n", objective(goodput), goodput.getLong("requests"), goodput.getDouble("rate"),
        goodput.getDouble("fraction") * 100, goodput.getDouble("ofScheduled", 0.0) * 100));
    return b.toString();
  }

  /** {@code TTFT <= 200 ms and TPOT <= 50 ms}, or that every completed request counts. */
  static String objective(JsonObject goodput) {
    double ttft = goodput.getDouble("sloTtftMs", 0.0);
    double tpot = goodput.getDouble("sloTpotMs", 0.0);
    if (ttft <= 0 && tpot <= 0) {
      return "no SLO: every completed request";
    }
    String t = ttft > 0 ? "TTFT <= " + num(ttft) + " ms" : "";
    String p = tpot > 0 ? "TPOT <= " + num(tpot) + " ms" : "";
    return t.isEmpty() ? p : p.isEmpty() ? t : t + " and " + p;
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static void groupRows(StringBuilder b, String prefix, JsonObject g) {
    row(b, prefix + "latency", g.getJsonObject("latencyMs"));
    row(b, prefix + "ttft", g.getJsonObject("ttftMs"));
    if (g.getJsonObject("itlMs").getLong("count") > 0) {
      row(b, prefix + "itl", g.getJsonObject("itlMs"));
      row(b, prefix + "tpot", g.getJsonObject("tpotMs"));
    }
  }

  private static void row(StringBuilder b, String name, JsonObject p) {
    b.append(String.format(Locale.ROOT, "%-18s %8d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", name, p.getLong("count"),
        p.getDouble("mean"), p.getDouble("p50"), p.getDouble("p90"), p.getDouble("p99"), p.getDouble("p999"),
        p.getDouble("max")));
  }
}
