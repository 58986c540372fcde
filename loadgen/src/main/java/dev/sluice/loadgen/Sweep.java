package dev.sluice.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The search behind {@code --sweep}: the highest rate whose run meets the SLO, found by a short bracketing search.
 * A run meets it when at least {@code share} of the requests it scheduled completed within the SLO (blocked,
 * failed and unfinished requests count as missed). Latencies count from the intended start, so a generator that
 * fell behind its schedule can only make a run miss, never meet: such runs are marked, not discarded.
 *
 * <p>From the start rate the rate doubles while runs pass (or halves while they fail) until one passing and one
 * failing rate bracket the knee; then the bracket is halved until its width is within {@code precision} of the
 * passing rate or the runs are used up. The knee is the highest passing rate.
 */
public final class Sweep {

  /** Runs one step at a rate and returns its report ({@link Report#json}). */
  @FunctionalInterface
  public interface Probe {
    JsonObject run(double rate, int step) throws Exception;
  }

  /** One run of the search. */
  public record Step(double rate, boolean pass, JsonObject report) {
  }

  /**
   * @param knee     highest rate that met the SLO, or NaN when none did
   * @param failedAt lowest rate that missed it, or NaN when none did
   * @param steps    the runs in the order they ran
   */
  public record Outcome(double knee, double failedAt, List<Step> steps) {
  }

  private Sweep() {
  }

  /** Whether a run's report meets the SLO at the given share of its scheduled requests (none scheduled: no). */
  public static boolean meets(JsonObject report, double share) {
    return report.getLong("scheduled", 0L) > 0
        && report.getJsonObject("goodput").getDouble("ofScheduled", 0.0) >= share;
  }

  public static Outcome search(double startRate, double share, int maxRuns, double precision, Probe probe)
      throws Exception {
    if (!(startRate > 0) || maxRuns < 1) {
      throw new IllegalArgumentException("a sweep needs a start rate > 0 and at least one run");
    }
    List<Step> steps = new ArrayList<>();
    double pass = Double.NaN;
    double fail = Double.NaN;
    double rate = startRate;
    while (steps.size() < maxRuns) {
      JsonObject report = probe.run(rate, steps.size() + 1);
      boolean ok = meets(report, share);
      steps.add(new Step(rate, ok, report));
      if (ok) {
        pass = Double.isNaN(pass) ? rate : Math.max(pass, rate);
      } else {
        fail = Double.isNaN(fail) ? rate : Math.min(fail, rate);
      }
      if (report.getLong("scheduled", 0L) == 0) {
        break;  // the rate is too low to place a request in the run: going lower says nothing more
      } else if (Double.isNaN(fail)) {
        rate = rate * 2;
      } else if (Double.isNaN(pass)) {
        rate = rate / 2;
      } else if (fail - pass <= precision * pass) {
        break;
      } else {
        rate = (pass + fail) / 2;
      }
    }
    return new Outcome(pass, fail, steps);
  }

  /** The knee and the runs behind it, as JSON. */
  public static JsonObject json(Outcome o, String objective, double share) {
    JsonArray runs = new JsonArray();
    for (Step s : o.steps()) {
      JsonObject r = s.report();
      runs.add(new JsonObject().put("rate", s.rate()).put("pass", s.pass())
          .put("achievedRate", r.getDouble("achievedRate")).put("valid", r.getBoolean("valid"))
          .put("goodputOfScheduled", r.getJsonObject("goodput").getDouble("ofScheduled"))
          .put("ttftP99Ms", r.getJsonObject("ttftMs").getDouble("p99"))
          .put("tpotP99Ms", r.getJsonObject("tpotMs").getDouble("p99")));
    }
    return new JsonObject().put("objective", objective).put("share", share)
        .put("knee", Double.isNaN(o.knee()) ? null : o.knee())
        .put("failedAt", Double.isNaN(o.failedAt()) ? null : o.failedAt())
        .put("steps", runs);
  }

  private static String verdict(Step s) {
    if (s.report().getLong("scheduled", 0L) == 0) {
      return "no request scheduled: give a longer --duration";
    }
    String verdict = s.pass() ? "meets" : "misses";
    return s.report().getBoolean("valid", true) ? verdict : verdict + " (" + s.report().getString("validity") + ")";
  }

  /** The runs as a table, then the knee. */
  public static String text(Outcome o, String objective, double share) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "sweep: %s for %.1f%% of scheduled requests%n", objective, share * 100));
    b.append(String.format(Locale.ROOT, "%5s %10s %10s %9s %10s %10s  %s%n", "run", "rate", "achieved", "goodput",
        "ttft p99", "tpot p99", "verdict"));
    int n = 0;
    for (Step s : o.steps()) {
      JsonObject r = s.report();
      b.append(String.format(Locale.ROOT, "%5d %10.2f %10.2f %8.2f%% %10.2f %10.2f  %s%n", ++n, s.rate(),
          r.getDouble("achievedRate"), r.getJsonObject("goodput").getDouble("ofScheduled") * 100,
          r.getJsonObject("ttftMs").getDouble("p99"), r.getJsonObject("tpotMs").getDouble("p99"),
          verdict(s)));
    }
    if (Double.isNaN(o.knee())) {
      b.append(String.format(Locale.ROOT, "knee: none: every rate tried missed the SLO (lowest %.2f req/s)%n",
          o.failedAt()));
    } else if (Double.isNaN(o.failedAt())) {
      b.append(String.format(Locale.ROOT, "knee: at least %.2f req/s: every rate tried met the SLO%n", o.knee()));
    } else {
      b.append(String.format(Locale.ROOT, "knee: %.2f req/s (meets the SLO; %.2f req/s misses it)%n", o.knee(),
          o.failedAt()));
    }
    return b.toString();
  }
}
