package dev.sluice.loadgen;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Runs one load: deploys the verticles on the given Vert.x, collects their recorders once a second from the calling
 * thread (which must not be an event loop: it sleeps), prints progress, drains, undeploys and merges, one result per
 * group of the {@link RunLayout} (stage x target).
 */
public final class LoadRun {

  /** Head start given to the verticles so that all of them are deployed before the first request is due. */
  private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final Vertx vertx;
  private final LoadSpec spec;
  private final ArrivalPlan plan;
  private final Bodies bodies;
  private final RunLayout layout;
  private final PrintStream progress;

  private final List<Collector> collectors = new ArrayList<>();
  private final List<LoadVerticle> verticles = new ArrayList<>();
  private long startNanos;

  /**
   * @param progress where the one-line progress goes every second, or null for none
   */
  public LoadRun(Vertx vertx, LoadSpec spec, ArrivalPlan plan, Buffer[] bodies, PrintStream progress) {
    this(vertx, spec, plan, Bodies.of(bodies),
        RunLayout.single(spec.targets().size(), 0, spec.warmupNanos(), spec.verticles()), progress);
  }

  public LoadRun(Vertx vertx, LoadSpec spec, ArrivalPlan plan, Bodies bodies, RunLayout layout, PrintStream progress) {
    if (layout.targets() != spec.targets().size() || layout.verticles() != spec.verticles()) {
      throw new IllegalArgumentException("the layout's targets and verticles must be the spec's");
    }
    this.vertx = vertx;
    this.spec = spec;
    this.plan = plan;
    this.bodies = bodies;
    this.layout = layout;
    this.progress = progress;
  }

  /** Runs a load of one group (one stage, one target) and returns its result. */
  public RunResult run() throws Exception {
    if (layout.groups() != 1) {
      throw new IllegalStateException("a run of " + layout.groups() + " groups: use runGroups()");
    }
    return runGroups().get(0);
  }

  /** Runs the load; one result per group, in group order ({@code stage * targets + target}). */
  public List<RunResult> runGroups() throws Exception {
    startNanos = System.nanoTime() + START_DELAY_NANOS;
    long start = startNanos;
    // one deployment of N instances: Vert.x creates their contexts back to back, so each gets its own event loop
    String id = vertx.deployVerticle(() -> {
      LoadVerticle v = new LoadVerticle(spec, plan, bodies, layout, start, verticles.size());
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(spec.verticles())).await();
    for (int g = 0; g < layout.groups(); g++) {
      collectors.add(new Collector(g));
    }
    Thread pacer = spec.pacer() && spec.closedConcurrency() == 0 ? startPacer(verticles) : null;
    long measureFrom = start + spec.warmupNanos();
    long scheduleEnd = spec.closedConcurrency() > 0 ? start + spec.closedNanos() : start + lastOffset() + 1;
    long drainDeadline = Long.MAX_VALUE;
    long nextSample = start + SECOND;
    long lastSent = 0;
    long lastCompleted = 0;
    long inflight = 0;
    while (true) {
      long wake = Math.min(nextSample, System.nanoTime() + SECOND / 10);
      sleepUntil(wake);
      long now = System.nanoTime();
      boolean done = true;
      for (LoadVerticle v : verticles) {
        done &= v.scheduleDone;
      }
      inflight = total(m -> m.inflight);
      if (now >= nextSample) {
        double p99 = 0;
        for (Collector c : collectors) {
          p99 = Math.max(p99, c.sample(nextSample));
        }
        long sent = total(m -> m.sent);
        long completed = total(m -> m.completed);
        if (progress != null) {
          double t = (nextSample - measureFrom) / 1e9;
          Histogram lag = LoadRun.newHistogram();
          collectors.forEach(c -> lag.add(c.sendLag));
          progress.printf("[%5.0fs%s] sent %7d/s  done %7d/s  in-flight %6d  errors %6d  blocked %6d  p99 %8.2f ms"
              + "  lag p99 %6.2f ms%n", t, t <= 0 ? " warm-up" : "", sent - lastSent, completed - lastCompleted,
              inflight, total(m -> m.errors), total(m -> m.blocked), p99,
              lag.getTotalCount() == 0 ? 0 : lag.getValueAtPercentile(99) / 1000.0);
        }
        lastSent = sent;
        lastCompleted = completed;
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
    long[] scheduled = scheduledPerGroup();
    List<RunResult> results = new ArrayList<>();
    for (Collector c : collectors) {
      c.collect(new HashMap<>());
      results.add(c.result(scheduled[c.group]));
    }
    return results;
  }

  /** Writes one CSV row per scheduled request of the finished run ({@link RequestLog}), without the header. */
  public void writeRecords(Appendable out, String run) throws IOException {
    List<RequestLog> logs = new ArrayList<>();
    for (LoadVerticle v : verticles) {
      if (v.log == null) {
        throw new IllegalStateException("records were not kept: LoadSpec.withRecords(true)");
      }
      logs.add(v.log);
    }
    RequestLog.csv(out, run, layout, plan, bodies, spec.warmupNanos(), logs, startNanos);
  }

  private long[] scheduledPerGroup() {
    long[] n = new long[layout.groups()];
    if (spec.closedConcurrency() > 0) {
      n[0] = total(m -> m.sent);
      return n;
    }
    long[] t = plan.offsetsNanos();
    for (int i = plan.countBefore(spec.warmupNanos()); i < t.length; i++) {
      n[layout.groupOf(i, t[i])]++;
    }
    return n;
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
   * Length of a measured stage: its declared duration, or, for the one stage that runs to the end of the
   * schedule, from its start to the last arrival plus one mean gap of its arrivals, so that N arrivals at rate R
   * span N / R.
   */
  private long measuredLength(RunLayout.Stage stage) {
    if (spec.closedConcurrency() > 0) {
      return spec.closedNanos() - spec.warmupNanos();
    }
    if (stage.durationNanos() > 0) {
      return stage.durationNanos();
    }
    long[] t = plan.offsetsNanos();
    int first = plan.countBefore(stage.startNanos());
    int n = t.length - first;
    if (n <= 0) {
      return 0;
    }
    long last = t[t.length - 1];
    long gap = n == 1 ? SECOND : (last - t[first]) / (n - 1);
    return last - stage.startNanos() + gap;
  }

  private long total(ToLongFunction<Metrics> f) {
    long sum = 0;
    for (LoadVerticle v : verticles) {
      for (Metrics m : v.groups) {
        sum += f.applyAsLong(m);
      }
    }
    return sum;
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

  /** Everything collected for one group: cumulative histograms, counters and its timeline. */
  private final class Collector {
    final int group;
    final RunLayout.Stage stage;
    final Map<String, Cumulative> pools = new TreeMap<>();
    final Cumulative overall = new Cumulative();
    final Histogram sendLag = newHistogram();
    final Histogram queueWait = newHistogram();
    final List<RunResult.Second> timeline = new ArrayList<>();
    long lastSent;
    long lastCompleted;
    long lastErrors;

    Collector(int group) {
      this.group = group;
      this.stage = layout.stage(group);
    }

    long windowStart() {
      return startNanos + stage.startNanos();
    }

    /** Takes one second's intervals; returns the p99 latency of that second (ms). */
    double sample(long at) {
      Histogram interval = newHistogram();
      Map<String, Long> byPool = new TreeMap<>();
      interval.add(collect(byPool));
      long sent = sum(m -> m.sent);
      long completed = sum(m -> m.completed);
      long errors = sum(m -> m.errors);
      long inflight = sum(m -> m.inflight);
      double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0;
      boolean inWindow = at > windowStart()
          && (stage.durationNanos() == 0 || at - SECOND < windowStart() + stage.durationNanos() || inflight > 0);
      if (inWindow) {
        timeline.add(new RunResult.Second((at - windowStart()) / 1e9, sent - lastSent, completed - lastCompleted,
            errors - lastErrors, inflight, p99, byPool));
      }
      lastSent = sent;
      lastCompleted = completed;
      lastErrors = errors;
      return p99;
    }

    /** Moves every verticle's interval histograms of this group into the cumulative ones; returns the latency. */
    Histogram collect(Map<String, Long> byPool) {
      Histogram latencies = newHistogram();
      for (LoadVerticle v : verticles) {
        Metrics m = v.groups[group];
        sendLag.add(m.sendLag.getIntervalHistogram());
        queueWait.add(m.queueWait.getIntervalHistogram());
        Histogram latency = m.overall.latency.getIntervalHistogram();
        latencies.add(latency);
        overall.add(m.overall, latency);
        m.pools.forEach((name, l) -> {
          Histogram poolLatency = l.latency.getIntervalHistogram();
          byPool.merge(name, poolLatency.getTotalCount(), Long::sum);
          pools.computeIfAbsent(name, k -> new Cumulative()).add(l, poolLatency);
        });
      }
      overall.settle(null);
      pools.forEach((name, c) -> c.settle(name));
      return latencies;
    }

    RunResult result(long scheduled) {
      Map<String, Long> errorsByKind = new TreeMap<>();
      Map<String, Long> errorsByType = new TreeMap<>();
      long lastEnd = 0;
      for (LoadVerticle v : verticles) {
        Metrics m = v.groups[group];
        m.errorsByKind.forEach((k, n) -> errorsByKind.merge(k, n.sum(), Long::sum));
        m.errorsByType.forEach((k, n) -> errorsByType.merge(k, n.sum(), Long::sum));
        lastEnd = Math.max(lastEnd, m.lastEndNanos);
      }
      Map<String, RunResult.Group> frozen = new LinkedHashMap<>();
      pools.forEach((name, c) -> frozen.put(name, c.freeze()));
      long measuredStart = Math.max(windowStart(), startNanos + spec.warmupNanos());
      return new RunResult(scheduled, sum(m -> m.sent), sum(m -> m.completed), sum(m -> m.errors),
          sum(m -> m.blocked), sum(m -> m.inflight), measuredLength(stage), errorsByKind, sendLag, overall.freeze(),
          frozen, timeline, queueWait, lastEnd == 0 ? 0 : lastEnd - measuredStart, errorsByType);
    }

    private long sum(ToLongFunction<Metrics> f) {
      long total = 0;
      for (LoadVerticle v : verticles) {
        total += f.applyAsLong(v.groups[group]);
      }
      return total;
    }

    /** Cumulative histograms of one pool of this group; counters are re-read (they are totals already). */
    private final class Cumulative {
      final Histogram latency = newHistogram();
      final Histogram ttft = newHistogram();
      final Histogram itl = newHistogram();
      final Histogram tpot = newHistogram();
      final Histogram vllmTtft = spec.vllmView() ? newHistogram() : null;
      final Histogram vllmLatency = spec.vllmView() ? newHistogram() : null;
      final Histogram vllmTpot = spec.vllmView() ? newHistogram() : null;
      long completed;
      long good;
      long tokens;
      long errors;
      long inputTokens;
      RunResult.Usage usage = RunResult.Usage.NONE;

      void add(Metrics.Latencies l, Histogram intervalLatency) {
        latency.add(intervalLatency);
        ttft.add(interval(l.ttft));
        itl.add(interval(l.itl));
        tpot.add(interval(l.tpot));
        if (vllmTtft != null) {
          vllmTtft.add(interval(l.vllmTtft));
          vllmLatency.add(interval(l.vllmLatency));
          vllmTpot.add(interval(l.vllmTpot));
        }
      }

      void settle(String pool) {
        long c = 0;
        long g = 0;
        long t = 0;
        long e = 0;
        long in = 0;
        long usageAnswers = 0;
        long usageIn = 0;
        long usageOut = 0;
        for (LoadVerticle v : verticles) {
          Metrics m = v.groups[group];
          Metrics.Latencies l = pool == null ? m.overall : m.pools.get(pool);
          if (l != null) {
            c += l.completed;
            g += l.good;
            t += l.tokens;
            e += pool == null ? m.errors : l.errors;
            in += l.inputTokens;
            usageAnswers += l.usageAnswers;
            usageIn += l.usageInputTokens;
            usageOut += l.usageOutputTokens;
          }
        }
        completed = c;
        good = g;
        tokens = t;
        errors = e;
        inputTokens = in;
        usage = new RunResult.Usage(usageAnswers, usageIn, usageOut);
      }

      RunResult.Group freeze() {
        return new RunResult.Group(completed, good, tokens, errors, latency, ttft, itl, tpot, inputTokens,
            vllmTtft == null ? null : new RunResult.VllmView(vllmTtft, vllmLatency, vllmTpot), usage);
      }

      private Histogram interval(SingleWriterRecorder r) {
        return r.getIntervalHistogram();
      }
    }
  }
}
