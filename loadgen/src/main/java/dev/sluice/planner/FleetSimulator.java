package dev.sluice.planner;

import dev.sluice.engine.Engine;
import dev.sluice.engine.EngineListener;
import dev.sluice.engine.RequestTimes;
import java.util.Arrays;

/**
 * Discrete-event simulation of one pool of identical instances serving a trace, in virtual time with
 * next-event time advance. Events are arrivals (taken in trace order) and step ends (a heap of instances
 * keyed by the end of their step in flight); each arrival goes to the instance with the fewest outstanding
 * (running + waiting) requests. Nothing happens between events, so the cost is proportional to engine steps
 * times batch size, not to simulated time.
 */
public final class FleetSimulator {

  /** What one run measured; {@code sortedTtft} holds every request's TTFT in seconds (infinite if none). */
  public record Result(
      int instances,
      int requests,
      long completed,
      long preemptions,
      double ttftP99,
      double ttftP50,
      long sloViolations,
      boolean abandoned,
      double makespan,
      long steps,
      double[] sortedTtft) {

    public boolean meets(double sloSeconds) {
      return !abandoned && completed == requests && ttftP99 <= sloSeconds;
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
   * @param sloSeconds TTFT SLO at P99; once more than 1% of the trace has missed it the run stops early
   *                   (P99 can no longer meet it) and is reported as {@code abandoned}. Use
   *                   {@link Double#POSITIVE_INFINITY} to always run to the end.
   */
  public static Result run(Trace trace, EngineSpec spec, int instances, double sloSeconds) {
    if (instances < 1) {
      throw new IllegalArgumentException("instances must be >= 1");
    }
    int n = trace.size();
    long[] arrivalNanos = new long[n];
    for (int i = 0; i < n; i++) {
      arrivalNanos[i] = Math.round(trace.arrival(i) * 1e9);
    }
    long sloNanos = Double.isInfinite(sloSeconds) ? Long.MAX_VALUE : Math.round(sloSeconds * 1e9);
    long[] ttft = new long[n];
    Arrays.fill(ttft, -1);
    Tally tally = new Tally(arrivalNanos, ttft, sloNanos);

    Engine[] fleet = new Engine[instances];
    for (int k = 0; k < instances; k++) {
      fleet[k] = spec.create(tally);
    }
    StepHeap heap = new StepHeap(instances);
    boolean[] queued = new boolean[instances];
    long allowedMisses = (long) Math.floor(n * 0.01);

    int next = 0;
    int rotate = 0;
    long now = 0;
    boolean abandoned = false;
    while (next < n || !heap.isEmpty()) {
      if (tally.misses > allowedMisses) {
        abandoned = true;
        break;
      }
      // step ends at an instant go before arrivals at it, so an engine is never behind the clock
      if (next < n && arrivalNanos[next] < heap.minKey()) {
        now = arrivalNanos[next];
        int k = leastLoaded(fleet, rotate);
        rotate = rotate + 1 == instances ? 0 : rotate + 1;
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
    double[] sorted = new double[n];
    for (int i = 0; i < n; i++) {
      // a request that never got its first token counts as infinitely late
      sorted[i] = ttft[i] < 0 ? Double.POSITIVE_INFINITY : ttft[i] / 1e9;
    }
    Arrays.sort(sorted);
    return new Result(instances, n, tally.finished, preemptions, percentile(sorted, 0.99),
        percentile(sorted, 0.50), tally.misses, abandoned, now / 1e9, steps, sorted);
  }

  /** Collects first-token times and completions from every engine of the fleet (ids are trace rows). */
  private static final class Tally implements EngineListener {
    final long[] arrivalNanos;
    final long[] ttft;
    final long sloNanos;
    long misses;
    long finished;

    Tally(long[] arrivalNanos, long[] ttft, long sloNanos) {
      this.arrivalNanos = arrivalNanos;
      this.ttft = ttft;
      this.sloNanos = sloNanos;
    }

    @Override
    public void onToken(long id, int index, long timeNanos) {
      if (index == 0) {
        long t = timeNanos - arrivalNanos[(int) id];
        ttft[(int) id] = t;
        if (t > sloNanos) {
          misses++;
        }
      }
    }

    @Override
    public void onFinish(RequestTimes times) {
      finished++;
    }
  }

  // balance on outstanding requests; the scan starts at a rotating index so ties spread evenly
  private static int leastLoaded(Engine[] fleet, int start) {
    int best = start;
    int bestLoad = fleet[start].running() + fleet[start].waiting();
    int n = fleet.length;
    for (int j = 1; j < n && bestLoad > 0; j++) {
      int k = start + j;
      if (k >= n) {
        k -= n;
      }
      int load = fleet[k].running() + fleet[k].waiting();
      if (load < bestLoad) {
        best = k;
        bestLoad = load;
      }
    }
    return best;
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
