package dev.sluice.planner;

import java.util.HashMap;
import java.util.Map;

/**
 * The smallest number of instances with which a pool serves a trace within a TTFT objective. Meeting it is
 * taken to be monotone in the count (more instances never hurt with least-loaded balancing). The search
 * starts at the count that saturation throughput makes a lower bound, climbs geometrically until a count
 * meets the objective, then bisects; failing runs stop as soon as the late budget is spent, so probes below
 * the answer are cheap. Runs are remembered per count, so searches with other budgets reuse them.
 */
public final class InstanceSearch {
  /** Geometric step while looking for a count that meets the objective. */
  private static final double CLIMB = 1.25;
  /** Give up beyond this many times the throughput bound (the SLO is then below the unloaded latency). */
  private static final int GIVE_UP_FACTOR = 64;

  /** The answer and the run that proved it. */
  public record Outcome(int instances, FleetSimulator.Result run, boolean attainable) {
  }

  private record Probe(FleetSimulator.Result result, Slo ranWith) {
  }

  private final Trace trace;
  private final EngineSpec spec;
  private final Map<Integer, Probe> probes = new HashMap<>();
  private int simulations;
  private int bound = -1;

  public InstanceSearch(Trace trace, EngineSpec spec) {
    this.trace = trace;
    this.spec = spec;
  }

  /** Simulations run so far (cache hits excluded). */
  public int simulations() {
    return simulations;
  }

  /** One-shot search. */
  public static Outcome smallest(Trace trace, EngineSpec spec, Slo slo) {
    return new InstanceSearch(trace, spec).smallest(slo);
  }

  public Outcome smallest(Slo slo) {
    if (trace.size() == 0) {
      return new Outcome(0, null, true);
    }
    if (bound < 0) {
      double perInstance = Saturation.requestsPerSecond(trace, spec);
      double rate = trace.size() / Math.max(trace.span(), 1e-9);
      bound = Math.max(1, (int) Math.floor(rate / perInstance));
    }
    int failing = 0;
    int count = bound;
    FleetSimulator.Result ok;
    while (true) {
      FleetSimulator.Result r = run(count, slo);
      if (r.meets(slo)) {
        ok = r;
        break;
      }
      failing = count;
      if (count >= (long) bound * GIVE_UP_FACTOR) {
        return new Outcome(count, r, false);
      }
      count = Math.max(count + 1, (int) Math.ceil(count * CLIMB));
    }
    int passing = count;
    // the throughput bound already met the objective: walk down until a count fails (or one instance passes)
    while (failing == 0 && passing > 1) {
      int lower = Math.min(passing - 1, (int) Math.floor(passing / CLIMB));
      FleetSimulator.Result r = run(lower, slo);
      if (r.meets(slo)) {
        passing = lower;
        ok = r;
      } else {
        failing = lower;
      }
    }
    while (passing - failing > 1) {
      int mid = (failing + passing) >>> 1;
      FleetSimulator.Result r = run(mid, slo);
      if (r.meets(slo)) {
        passing = mid;
        ok = r;
      } else {
        failing = mid;
      }
    }
    return new Outcome(passing, ok, true);
  }

  // a remembered run answers for this objective unless it stopped early under a tighter budget
  private FleetSimulator.Result run(int count, Slo slo) {
    Probe p = probes.get(count);
    if (p != null && p.ranWith().seconds() == slo.seconds() && p.ranWith().classOf() == slo.classOf()
        && (!p.result().abandoned() || !looser(slo, p.ranWith()))) {
      return p.result();
    }
    FleetSimulator.Result r = FleetSimulator.run(trace, spec, count, slo);
    simulations++;
    probes.put(count, new Probe(r, slo));
    return r;
  }

  private static boolean looser(Slo a, Slo b) {
    for (int c = 0; c < a.budget().length; c++) {
      if (a.budget()[c] > b.budget()[c]) {
        return true;
      }
    }
    return false;
  }
}
