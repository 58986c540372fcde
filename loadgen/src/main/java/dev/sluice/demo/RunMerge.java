package dev.sluice.demo;

import dev.sluice.loadgen.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** Adds up the results of load runs that drove different nodes over the same period. */
final class RunMerge {

  private RunMerge() {
  }

  static RunResult merge(List<RunResult> runs) {
    if (runs.size() == 1) {
      return runs.get(0);
    }
    long scheduled = 0;
    long sent = 0;
    long completed = 0;
    long errors = 0;
    long blocked = 0;
    long unfinished = 0;
    long duration = 0;
    Map<String, Long> errorsByKind = new TreeMap<>();
    Histogram sendLag = null;
    RunResult.Group overall = null;
    Map<String, RunResult.Group> pools = new TreeMap<>();
    for (RunResult r : runs) {
      scheduled += r.scheduled();
      sent += r.sent();
      completed += r.completed();
      errors += r.errors();
      blocked += r.blocked();
      unfinished += r.unfinished();
      duration = Math.max(duration, r.durationNanos());
      r.errorsByKind().forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
      sendLag = add(sendLag, r.sendLag());
      overall = add(overall, r.overall());
      for (Map.Entry<String, RunResult.Group> e : r.pools().entrySet()) {
        pools.put(e.getKey(), add(pools.get(e.getKey()), e.getValue()));
      }
    }
    return new RunResult(scheduled, sent, completed, errors, blocked, unfinished, duration, errorsByKind, sendLag,
        overall, pools, timeline(runs));
  }

  private static List<RunResult.Second> timeline(List<RunResult> runs) {
    int length = 0;
    for (RunResult r : runs) {
      length = Math.max(length, r.timeline().size());
    }
    List<RunResult.Second> out = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      double t = 0;
      long sent = 0;
      long completed = 0;
      long errors = 0;
      long inflight = 0;
      double p99 = 0;
      Map<String, Long> byPool = new TreeMap<>();
      for (RunResult r : runs) {
        if (i < r.timeline().size()) {
          RunResult.Second s = r.timeline().get(i);
          t = Math.max(t, s.t());
          sent += s.sent();
          completed += s.completed();
          errors += s.errors();
          inflight += s.inflight();
          // the worse node's p99 bounds the merged one from below; exact merging would need the histograms
          p99 = Math.max(p99, s.p99Millis());
          s.completedByPool().forEach((k, v) -> byPool.merge(k, v, Long::sum));
        }
      }
      out.add(new RunResult.Second(t, sent, completed, errors, inflight, p99, byPool));
    }
    return out;
  }

  private static RunResult.Group add(RunResult.Group a, RunResult.Group b) {
    if (a == null) {
      return new RunResult.Group(b.completed(), b.good(), b.tokens(), b.errors(), b.latency().copy(),
          b.ttft().copy(), b.itl().copy(), b.tpot().copy());
    }
    a.latency().add(b.latency());
    a.ttft().add(b.ttft());
    a.itl().add(b.itl());
    a.tpot().add(b.tpot());
    return new RunResult.Group(a.completed() + b.completed(), a.good() + b.good(), a.tokens() + b.tokens(),
        a.errors() + b.errors(), a.latency(), a.ttft(), a.itl(), a.tpot());
  }

  private static Histogram add(Histogram a, Histogram b) {
    if (a == null) {
      return b.copy();
    }
    a.add(b);
    return a;
  }
}
