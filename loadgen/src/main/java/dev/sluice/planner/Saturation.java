package dev.sluice.planner;

import dev.sluice.engine.Engine;
import dev.sluice.engine.EngineListener;
import dev.sluice.engine.RequestTimes;

/**
 * Peak throughput of one instance on a traffic mix: a closed loop keeps the instance overfull with the
 * trace's requests (taken in order, wrapping around) and counts completions per virtual second after a
 * warm-up. Used to seed the instance-count search and as the saturation variant of rho.
 */
public final class Saturation {
  /** Requests kept outstanding beyond the batch limit, so the batch never runs dry. */
  static final int EXTRA_BACKLOG = 64;
  /** Completions discarded while the batch fills. */
  static final int WARMUP = 500;
  /** Completions measured. */
  static final int MEASURED = 4000;

  private Saturation() {
  }

  /** Requests per second one instance completes when it never runs dry. */
  public static double requestsPerSecond(Trace trace, EngineSpec spec) {
    if (trace.size() == 0) {
      throw new IllegalArgumentException("empty trace");
    }
    long[] done = {0};
    long[] warmEnd = {-1};
    long[] lastEnd = {0};
    EngineListener count = new EngineListener() {
      @Override
      public void onFinish(RequestTimes times) {
        done[0]++;
        if (done[0] == WARMUP) {
          warmEnd[0] = times.finishNanos();
        }
        lastEnd[0] = times.finishNanos();
      }
    };
    Engine engine = spec.create(count);
    int backlog = spec.shape().maxNumSeqs() + EXTRA_BACKLOG;
    int next = 0;
    long submitted = 0;
    long now = 0;
    while (done[0] < WARMUP + MEASURED) {
      while (submitted - done[0] < backlog) {
        int i = next;
        next = next + 1 == trace.size() ? 0 : next + 1;
        engine.submit(now, submitted, trace.prompt(i), trace.output(i));
        submitted++;
      }
      now = engine.nextStepEnd();
      engine.advanceTo(now);
    }
    return MEASURED / ((lastEnd[0] - warmEnd[0]) / 1e9);
  }
}
