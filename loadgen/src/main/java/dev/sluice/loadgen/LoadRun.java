package dev.sluice.loadgen;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Runs one load: deploys the verticles on the given Vert.x, collects their recorders once a second from the calling
 * thread (which must not be an event loop: it sleeps), prints progress, drains, undeploys and merges.
 */
public final class LoadRun {

  /** Head start given to the verticles so that all of them are deployed before the first request is due. */
  private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final Vertx vertx;
  private final LoadSpec spec;
  private final ArrivalPlan plan;
  private final Buffer[] bodies;
  private final PrintStream progress;

  private final Map<String, Cumulative> groups = new TreeMap<>();
  private final Cumulative overall = new Cumulative();
  private final Histogram sendLag = newHistogram();
  private final List<RunResult.Second> timeline = new ArrayList<>();

  /**
   * @param progress where the one-line progress goes every second, or null for none
   */
  public LoadRun(Vertx vertx, LoadSpec spec, ArrivalPlan plan, Buffer[] bodies, PrintStream progress) {
    this.vertx = vertx;
    this.spec = spec;
    this.plan = plan;
    this.bodies = bodies;
    this.progress = progress;
  }

  public RunResult run() throws Exception {
    long start = System.nanoTime() + START_DELAY_NANOS;
    List<LoadVerticle> verticles = new ArrayList<>();
    // one deployment of N instances: Vert.x creates their contexts back to back, so each gets its own event loop
    String id = vertx.deployVerticle(() -> {
      LoadVerticle v = new LoadVerticle(spec, plan, bodies, start, verticles.size());
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(spec.verticles())).await();
    Thread pacer = spec.pacer() && spec.closedConcurrency() == 0 ? startPacer(verticles) : null;
    long measureFrom = start + spec.warmupNanos();
    long scheduleEnd = spec.closedConcurrency() > 0 ? start + spec.closedNanos() : start + lastOffset() + 1;
    long measuredLength = spec.closedConcurrency() > 0 ? spec.closedNanos() - spec.warmupNanos()
        : measuredScheduleLength();
    long drainDeadline = Long.MAX_VALUE;
    long nextSample = start + SECOND;
    long lastSent = 0;
    long lastCompleted = 0;
    long lastErrors = 0;
    long inflight = 0;
    while (true) {
      long wake = Math.min(nextSample, System.nanoTime() + SECOND / 10);
      sleepUntil(wake);
      long now = System.nanoTime();
      boolean done = true;
      inflight = 0;
      for (LoadVerticle v : verticles) {
        done &= v.metrics.scheduleDone;
        inflight += v.metrics.inflight;
      }
      if (now >= nextSample) {
        Histogram interval = newHistogram();
        Map<String, Long> byPool = new TreeMap<>();
        collect(verticles, interval, byPool);
        long sent = sum(verticles, m -> m.sent);
        long completed = sum(verticles, m -> m.completed);
        long errors = sum(verticles, m -> m.errors);
        double t = (nextSample - measureFrom) / 1e9;
        double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0;
        if (nextSample > measureFrom) {
          timeline.add(new RunResult.Second(t, sent - lastSent, completed - lastCompleted, errors - lastErrors,
              inflight, p99, byPool));
        }
        if (progress != null) {
          progress.printf("[%5.0fs%s] sent %7d/s  done %7d/s  in-flight %6d  errors %6d  blocked %6d  p99 %8.2f ms"
              + "  lag p99 %6.2f ms%n", t, t <= 0 ? " warm-up" : "", sent - lastSent, completed - lastCompleted, inflight, errors,
              sum(verticles, m -> m.blocked), p99, sendLag.getTotalCount() == 0 ? 0
                  : sendLag.getValueAtPercentile(99) / 1000.0);
        }
        lastSent = sent;
        lastCompleted = completed;
        lastErrors = errors;
        nextSample += SECOND;
      }
      boolean scheduleOver = done || (spec.closedConcurrency() > 0 && now > scheduleEnd);
      if (scheduleOver && drainDeadline == Long.MAX_VALUE) {
        drainDeadline = now + TimeUnit.MILLISECONDS.toNanos(spec.timeoutMillis()) + SECOND;
      }
      if (scheduleOver && (inflight == 0 || now > drainDeadline)) {
        break;
      }
    }
    if (pacer != null) {
      pacer.interrupt();
      pacer.join();
    }
    vertx.undeploy(id).await();
    collect(verticles, newHistogram(), new HashMap<>());
    Map<String, Long> errorsByKind = new TreeMap<>();
    for (LoadVerticle v : verticles) {
      v.metrics.errorsByKind.forEach((k, n) -> errorsByKind.merge(k, n.sum(), Long::sum));
    }
    Map<String, RunResult.Group> pools = new LinkedHashMap<>();
    groups.forEach((name, c) -> pools.put(name, c.freeze()));
    long scheduled = spec.closedConcurrency() > 0 ? sum(verticles, m -> m.sent)
        : plan.size() - plan.countBefore(spec.warmupNanos());
    return new RunResult(scheduled, sum(verticles, m -> m.sent), sum(verticles, m -> m.completed),
        sum(verticles, m -> m.errors), sum(verticles, m -> m.blocked), inflight, measuredLength, errorsByKind,
        sendLag, overall.freeze(), pools, timeline);
  }

  /** Granularity of the pacer while a wake-up it queued has not run yet. */
  private static final long PACER_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

  /** A thread that parks until the next due request of any share and wakes that share's event loop. */
  private static Thread startPacer(List<LoadVerticle> verticles) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        long now = System.nanoTime();
        long next = now + SECOND / 1000;
        for (LoadVerticle v : verticles) {
          long due = v.wakeIfDue(now);
          next = Math.min(next, due <= now ? now + PACER_RETRY_NANOS : due);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
      }
    }, "loadgen-pacer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private long lastOffset() {
    return plan.size() == 0 ? 0 : plan.offsetsNanos()[plan.size() - 1];
  }

  /**
   * Length of the measured phase: from the warm-up boundary to the last arrival plus one mean gap of the measured
   * arrivals, so that N arrivals at rate R span N / R.
   */
  private long measuredScheduleLength() {
    long[] t = plan.offsetsNanos();
    int first = plan.countBefore(spec.warmupNanos());
    int n = t.length - first;
    if (n <= 0) {
      return 0;
    }
    long last = t[t.length - 1];
    long gap = n == 1 ? SECOND : (last - t[first]) / (n - 1);
    return last - spec.warmupNanos() + gap;
  }

  private void collect(List<LoadVerticle> verticles, Histogram interval, Map<String, Long> byPool) {
    for (LoadVerticle v : verticles) {
      Metrics m = v.metrics;
      sendLag.add(m.sendLag.getIntervalHistogram());
      Histogram latency = m.overall.latency.getIntervalHistogram();
      interval.add(latency);
      overall.add(m.overall, latency);
      m.pools.forEach((name, l) -> {
        Histogram poolLatency = l.latency.getIntervalHistogram();
        byPool.merge(name, poolLatency.getTotalCount(), Long::sum);
        groups.computeIfAbsent(name, k -> new Cumulative()).add(l, poolLatency);
      });
    }
    overall.settle(verticles, null);
    groups.forEach((name, c) -> c.settle(verticles, name));
  }

  private static long sum(List<LoadVerticle> verticles, java.util.function.ToLongFunction<Metrics> f) {
    long total = 0;
    for (LoadVerticle v : verticles) {
      total += f.applyAsLong(v.metrics);
    }
    return total;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  static Histogram newHistogram() {
    Histogram h = new Histogram(Metrics.DIGITS);
    h.setAutoResize(true);
    return h;
  }

  /** Cumulative histograms of one group; counters are re-read from the verticles (they are totals already). */
  private static final class Cumulative {
    final Histogram latency = newHistogram();
    final Histogram ttft = newHistogram();
    final Histogram itl = newHistogram();
    final Histogram tpot = newHistogram();
    long completed;
    long good;
    long tokens;
    long errors;

    void add(Metrics.Latencies l, Histogram intervalLatency) {
      latency.add(intervalLatency);
      ttft.add(interval(l.ttft));
      itl.add(interval(l.itl));
      tpot.add(interval(l.tpot));
    }

    void settle(List<LoadVerticle> verticles, String pool) {
      long c = 0;
      long g = 0;
      long t = 0;
      long e = 0;
      for (LoadVerticle v : verticles) {
        Metrics.Latencies l = pool == null ? v.metrics.overall : v.metrics.pools.get(pool);
        if (l != null) {
          c += l.completed;
          g += l.good;
          t += l.tokens;
          e += pool == null ? v.metrics.errors : l.errors;
        }
      }
      completed = c;
      good = g;
      tokens = t;
      errors = e;
    }

    RunResult.Group freeze() {
      return new RunResult.Group(completed, good, tokens, errors, latency, ttft, itl, tpot);
    }

    private static Histogram interval(SingleWriterRecorder r) {
      return r.getIntervalHistogram();
    }
  }
}
