package dev.sluice.loadgen;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one load verticle records. Every field is written by that verticle's event loop only (single writer); the
 * collector thread reads counters and takes interval histograms from the recorders, which is what
 * {@link SingleWriterRecorder} is built for. Latencies are recorded in microseconds.
 */
final class Metrics {

  /** Significant digits of every histogram. */
  static final int DIGITS = 3;

  /** Latency recorders of one pool (or of all pools together). */
  static final class Latencies {
    final SingleWriterRecorder latency = new SingleWriterRecorder(DIGITS);
    final SingleWriterRecorder ttft = new SingleWriterRecorder(DIGITS);
    final SingleWriterRecorder itl = new SingleWriterRecorder(DIGITS);
    final SingleWriterRecorder tpot = new SingleWriterRecorder(DIGITS);
    volatile long completed;
    volatile long good;
    volatile long tokens;
    volatile long errors;
  }

  final SingleWriterRecorder sendLag = new SingleWriterRecorder(DIGITS);
  final Latencies overall = new Latencies();
  final ConcurrentHashMap<String, Latencies> pools = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, LongAdder> errorsByKind = new ConcurrentHashMap<>();

  /** Counters over the measured phase (after warm-up). */
  volatile long sent;
  volatile long blocked;
  volatile long completed;
  volatile long errors;
  /** Requests in flight right now, warm-up included. */
  volatile long inflight;
  /** Whether this verticle has handed out all of its share of the schedule. */
  volatile boolean scheduleDone;

  Latencies pool(String name) {
    Latencies l = pools.get(name);
    if (l == null) {
      l = new Latencies();
      pools.put(name, l);
    }
    return l;
  }

  void error(String kind) {
    errorsByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }
}
