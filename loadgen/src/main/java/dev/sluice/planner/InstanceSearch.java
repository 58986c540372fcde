package dev.sluice.planner;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The smallest number of instances with which a pool serves a trace within a TTFT objective. Meeting it is
 * taken to be monotone in the count (more instances never hurt with least-loaded balancing). The search
 * starts at the count that saturation throughput makes a lower bound, climbs geometrically until a count
 * meets the objective, then bisects; failing runs stop as soon as the late budget is spent, so probes below
 * the answer are cheap. Runs are remembered per count, so searches with other budgets reuse them.
 *
 * <p>Two checks keep an objective no fleet can meet from running away. Before any run: a request alone on an
 * idle instance still needs its own prefill ({@link dev.sluice.engine.CostModel#aloneTtftNanos}); when more
 * requests of a class than its budget allows need longer than the class's target even so, no count meets it.
 * While climbing: once there are as many instances as requests would ever be in flight at once if each were
 * served alone, every arrival finds an instance with no prefill ahead of it and more instances no longer
 * help, so a count that still fails there is the end of the search (the search also never starts above it).
 */
public final class InstanceSearch {
  /** Geometric step while looking for a count that meets the objective. */
  private static final double CLIMB = 1.25;

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
  private int useful = -1;
  private long[] aloneTtft;

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
    if (!meetableAlone(slo)) {
      return new Outcome(0, null, false);
    }
    if (bound < 0) {
      // a handful of requests close together make the rate over their span meaningless: never start above
      // the count from which more instances cannot help
      double perInstance = Saturation.requestsPerSecond(trace, spec);
      double rate = trace.size() / Math.max(trace.span(), 1e-9);
      bound = (int) Math.max(1, Math.min(Math.floor(rate / perInstance), usefulInstances()));
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
      if (count >= usefulInstances()) {
        return new Outcome(count, r, false);
      }
      count = Math.min(usefulInstances(), Math.max(count + 1, (int) Math.ceil(count * CLIMB)));
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

  /**
   * Requests of each class that miss the class's target even alone on an idle instance, where their own prefill
   * is all they wait for: no fleet size brings a class's late count below this.
   */
  public long[] lateEvenAlone(Slo slo) {
    if (aloneTtft == null) {
      aloneTtft = new long[trace.size()];
      for (int i = 0; i < trace.size(); i++) {
        aloneTtft[i] = spec.cost().aloneTtftNanos(trace.prompt(i), spec.shape().maxNumBatchedTokens());
      }
    }
    long[] late = new long[slo.budget().length];
    for (int i = 0; i < trace.size(); i++) {
      if (aloneTtft[i] > Math.round(slo.secondsOf(i) * 1e9)) {
        late[slo.classOf(i)]++;
      }
    }
    return late;
  }

  /** P99 over the trace of the TTFT each request gets alone on an idle instance, in seconds. */
  public double aloneTtftP99() {
    lateEvenAlone(Slo.p99(1, Math.max(1, trace.size())));
    double[] sorted = new double[aloneTtft.length];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = aloneTtft[i] / 1e9;
    }
    Arrays.sort(sorted);
    return FleetSimulator.percentile(sorted, 0.99);
  }

  private boolean meetableAlone(Slo slo) {
    long[] late = lateEvenAlone(slo);
    for (int c = 0; c < late.length; c++) {
      if (late[c] > slo.budget()[c]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The most requests ever in flight at once if each one were served alone (arrival to its alone end-to-end
   * time): with that many instances every arrival can have one to itself, so more cannot help.
   */
  int usefulInstances() {
    if (useful < 0) {
      int n = trace.size();
      long[] starts = new long[n];
      long[] ends = new long[n];
      int budget = spec.shape().maxNumBatchedTokens();
      for (int i = 0; i < n; i++) {
        starts[i] = Math.round(trace.arrival(i) * 1e9);
        ends[i] = starts[i] + Math.max(1, spec.cost().aloneE2eNanos(trace.prompt(i), trace.output(i), budget));
      }
      Arrays.sort(ends);
      int inFlight = 0;
      int most = 0;
      int e = 0;
      for (int i = 0; i < n; i++) {
        while (ends[e] <= starts[i]) {
          e++;
          inFlight--;
        }
        inFlight++;
        most = Math.max(most, inFlight);
      }
      useful = Math.max(1, most);
    }
    return useful;
  }

  // a remembered run answers for this objective unless it stopped early under a tighter budget
  private FleetSimulator.Result run(int count, Slo slo) {
    Probe p = probes.get(count);
    if (p != null && p.ranWith().sameTargets(slo)
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
