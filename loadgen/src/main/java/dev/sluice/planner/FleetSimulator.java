package dev.sluice.planner;

import dev.sluice.engine.Engine;
import dev.sluice.engine.EngineListener;
import dev.sluice.engine.RequestTimes;
import java.util.Arrays;

/**
 * Discrete-event simulation of one pool of identical instances serving a trace, in virtual time with
 * next-event time advance. Events are arrivals (taken in trace order) and step ends (a heap of instances
 * keyed by the end of their step in flight). Each arrival goes to the least-loaded instance, where load is
 * the prompt tokens it still has to prefill (what a newcomer's TTFT waits for under chunked prefill), plus a
 * large penalty per request beyond its free batch slots (a full batch makes a newcomer wait for a slot).
 * Nothing happens between events, so the cost is proportional to engine steps times batch size, not to
 * simulated time.
 */
public final class FleetSimulator {

  /**
   * What one run measured; {@code ttft} holds each trace row's TTFT in seconds (infinite if it got no token,
   * which only happens in an abandoned run).
   */
  public record Result(
      int instances,
      int requests,
      long completed,
      long preemptions,
      double ttftP99,
      double ttftP50,
      long[] late,
      boolean abandoned,
      double makespan,
      long steps,
      double[] ttft) {

    /** Whether every request finished and no class had more late first tokens than its budget. */
    public boolean meets(Slo slo) {
      if (abandoned || completed != requests) {
        return false;
      }
      for (int c = 0; c < late.length; c++) {
        if (late[c] > slo.budget()[c]) {
          return false;
        }
      }
      return true;
    }

    /** Late first tokens over all classes. */
    public long lateTotal() {
      long sum = 0;
      for (long l : late) {
        sum += l;
      }
      return sum;
    }

    public double preemptionsPer1k() {
      return requests == 0 ? 0 : preemptions * 1000.0 / requests;
    }
  }

  private FleetSimulator() {
  }

  /**
   * Runs the trace on {@code instances} instances.
   *
   * @param slo the TTFT objective; once some class has more late first tokens than its budget the run
   *            stops early (it can no longer meet the objective) and is reported as {@code abandoned}.
   *            Null runs to the end and counts nothing late.
   */
  public static Result run(Trace trace, EngineSpec spec, int instances, Slo slo) {
    if (instances < 1) {
      throw new IllegalArgumentException("instances must be >= 1");
    }
    int n = trace.size();
    long[] arrivalNanos = new long[n];
    for (int i = 0; i < n; i++) {
      arrivalNanos[i] = Math.round(trace.arrival(i) * 1e9);
    }
    long[] sloNanos = new long[slo == null ? 1 : slo.seconds().length];
    for (int c = 0; c < sloNanos.length; c++) {
      sloNanos[c] = slo == null ? Long.MAX_VALUE : Math.round(slo.seconds()[c] * 1e9);
    }
    long[] ttft = new long[n];
    Arrays.fill(ttft, -1);
    long[] budget = slo == null ? new long[] {Long.MAX_VALUE} : slo.budget();
    Tally tally = new Tally(arrivalNanos, ttft, sloNanos, slo == null ? null : slo.classOf(), budget);

    int[] placedOn = new int[n];
    long[] backlog = new long[instances];
    tally.placement(placedOn, backlog, trace);
    Engine[] fleet = new Engine[instances];
    for (int k = 0; k < instances; k++) {
      fleet[k] = spec.create(tally);
    }
    StepHeap heap = new StepHeap(instances);
    boolean[] queued = new boolean[instances];

    int next = 0;
    int rotate = 0;
    long now = 0;
    boolean abandoned = false;
    while (next < n || !heap.isEmpty()) {
      if (tally.overBudget) {
        abandoned = true;
        break;
      }
      // step ends at an instant go before arrivals at it, so an engine is never behind the clock
      if (next < n && arrivalNanos[next] < heap.minKey()) {
        now = arrivalNanos[next];
        int k = leastLoaded(fleet, backlog, spec.shape().maxNumSeqs(), rotate);
        rotate = rotate + 1 == instances ? 0 : rotate + 1;
        placedOn[next] = k;
        backlog[k] += trace.prompt(next);
        fleet[k].submit(now, next, trace.prompt(next), trace.output(next));
        next++;
        if (!queued[k]) {
          queued[k] = true;
          heap.push(k, fleet[k].nextStepEnd());
        }
      } else {
        now = heap.minKey();
        int k = heap.pop();
        fleet[k].advanceTo(now);
        long end = fleet[k].nextStepEnd();
        if (end != Long.MAX_VALUE) {
          heap.push(k, end);
        } else {
          queued[k] = false;
        }
      }
    }
    long preemptions = 0;
    long steps = 0;
    for (Engine e : fleet) {
      preemptions += e.preemptionsTotal();
      steps += e.stepsTotal();
    }
    double[] seconds = new double[n];
    for (int i = 0; i < n; i++) {
      seconds[i] = ttft[i] < 0 ? Double.POSITIVE_INFINITY : ttft[i] / 1e9;
    }
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    return new Result(instances, n, tally.finished, preemptions, percentile(sorted, 0.99),
        percentile(sorted, 0.50), tally.late, abandoned, now / 1e9, steps, seconds);
  }

  /** Collects first-token times and completions from every engine of the fleet (ids are trace rows). */
  private static final class Tally implements EngineListener {
    final long[] arrivalNanos;
    final long[] ttft;
    final long[] sloNanos;
    final byte[] classOf;
    final long[] budget;
    final long[] late;
    boolean overBudget;
    long finished;
    int[] placedOn;
    long[] backlog;
    Trace trace;

    void placement(int[] placedOn, long[] backlog, Trace trace) {
      this.placedOn = placedOn;
      this.backlog = backlog;
      this.trace = trace;
    }

    Tally(long[] arrivalNanos, long[] ttft, long[] sloNanos, byte[] classOf, long[] budget) {
      this.arrivalNanos = arrivalNanos;
      this.ttft = ttft;
      this.sloNanos = sloNanos;
      this.classOf = classOf;
      this.budget = budget;
      this.late = new long[budget.length];
    }

    @Override
    public void onToken(long id, int index, long timeNanos) {
      if (index == 0) {
        backlog[placedOn[(int) id]] -= trace.prompt((int) id);
        long t = timeNanos - arrivalNanos[(int) id];
        ttft[(int) id] = t;
        int c = classOf == null ? 0 : classOf[(int) id];
        if (t > sloNanos[c]) {
          if (++late[c] > budget[c]) {
            overBudget = true;
          }
        }
      }
    }

    @Override
    public void onFinish(RequestTimes times) {
      finished++;
    }
  }

  /** Load of one request waiting for a batch slot, in prompt tokens: more than any prefill backlog. */
  static final long SLOT_WAIT_PENALTY = 1L << 24;

  // the scan starts at a rotating index so ties spread evenly
  private static int leastLoaded(Engine[] fleet, long[] backlog, int slots, int start) {
    int best = start;
    long bestLoad = load(fleet[start], backlog[start], slots);
    int n = fleet.length;
    for (int j = 1; j < n && bestLoad > 0; j++) {
      int k = start + j;
      if (k >= n) {
        k -= n;
      }
      if (backlog[k] >= bestLoad) {
        continue;  // the penalty only adds
      }
      long load = load(fleet[k], backlog[k], slots);
      if (load < bestLoad) {
        best = k;
        bestLoad = load;
      }
    }
    return best;
  }

  private static long load(Engine e, long backlog, int slots) {
    int overSlots = e.running() + e.waiting() - slots + 1;
    return backlog + (overSlots > 0 ? overSlots * SLOT_WAIT_PENALTY : 0);
  }

  /** Nearest-rank percentile of a sorted array. */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
