package dev.sluice.planner;

/**
 * The smallest number of instances with which a pool serves a trace within its TTFT P99 SLO. Meeting the
 * SLO is taken to be monotone in the count (more instances never hurt with least-loaded balancing). The
 * search starts at the count that saturation throughput makes a lower bound, climbs geometrically until a
 * count meets the SLO, then bisects; failing runs stop early once 1% of requests missed the SLO, so
 * probes below the answer are cheap.
 */
public final class InstanceSearch {
  /** Geometric step while looking for a count that meets the SLO. */
  private static final double CLIMB = 1.25;
  /** Give up beyond this many times the throughput bound (the SLO is then below the unloaded latency). */
  private static final int GIVE_UP_FACTOR = 64;

  /** The answer and the run that proved it. */
  public record Outcome(int instances, FleetSimulator.Result run, int probes, boolean attainable) {
  }

  private InstanceSearch() {
  }

  public static Outcome smallest(Trace trace, EngineSpec factory, double sloSeconds) {
    if (trace.size() == 0) {
      return new Outcome(0, null, 0, true);
    }
    double perInstance = Saturation.requestsPerSecond(trace, factory);
    double rate = trace.size() / Math.max(trace.span(), 1e-9);
    int bound = Math.max(1, (int) Math.floor(rate / perInstance));
    int probes = 0;
    int failing = 0;
    int count = bound;
    FleetSimulator.Result ok = null;
    while (true) {
      FleetSimulator.Result r = FleetSimulator.run(trace, factory, count, sloSeconds);
      probes++;
      if (r.meets(sloSeconds)) {
        ok = r;
        break;
      }
      failing = count;
      if (count >= (long) bound * GIVE_UP_FACTOR) {
        return new Outcome(count, r, probes, false);
      }
      count = Math.max(count + 1, (int) Math.ceil(count * CLIMB));
    }
    int passing = count;
    if (probes == 1) {
      // the throughput bound already met the SLO: walk down until a count fails (or one instance passes)
      while (failing == 0 && passing > 1) {
        int lower = Math.min(passing - 1, (int) Math.floor(passing / CLIMB));
        FleetSimulator.Result r = FleetSimulator.run(trace, factory, lower, sloSeconds);
        probes++;
        if (r.meets(sloSeconds)) {
          passing = lower;
          ok = r;
        } else {
          failing = lower;
        }
      }
    }
    while (passing - failing > 1) {
      int mid = (failing + passing) >>> 1;
      FleetSimulator.Result r = FleetSimulator.run(trace, factory, mid, sloSeconds);
      probes++;
      if (r.meets(sloSeconds)) {
        passing = mid;
        ok = r;
      } else {
        failing = mid;
      }
    }
    return new Outcome(passing, ok, probes, true);
  }
}
