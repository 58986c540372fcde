package dev.sluice.loadgen;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one load verticle records for one group of a run ({@link RunLayout}). Every field is written by that
 * verticle's event loop only (single writer); the collector thread reads counters and takes interval histograms from
 * the recorders, which is what {@link SingleWriterRecorder} is built for. Latencies are recorded in microseconds.
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
    /** vLLM's definitions (null unless asked for): TTFT and latency from the actual send, TPOT over tokens - 1. */
    final SingleWriterRecorder vllmTtft;
    final SingleWriterRecorder vllmLatency;
    final SingleWriterRecorder vllmTpot;
    volatile long completed;
    volatile long good;
    volatile long tokens;
    volatile long errors;
    /** Prompt tokens of the completed requests, as the bodies were sized. */
    volatile long inputTokens;
    /** Completed requests whose answer stated its usage, and the input and output tokens it stated. */
    volatile long usageAnswers;
    volatile long usageInputTokens;
    volatile long usageOutputTokens;

    Latencies(boolean vllmView) {
      vllmTtft = vllmView ? new SingleWriterRecorder(DIGITS) : null;
      vllmLatency = vllmView ? new SingleWriterRecorder(DIGITS) : null;
      vllmTpot = vllmView ? new SingleWriterRecorder(DIGITS) : null;
    }
  }

  private final boolean vllmView;
  final SingleWriterRecorder sendLag = new SingleWriterRecorder(DIGITS);
  /** Time a request waited for a concurrency slot (0 when it found one); recorded only under a concurrency cap. */
  final SingleWriterRecorder queueWait = new SingleWriterRecorder(DIGITS);
  final Latencies overall;
  final ConcurrentHashMap<String, Latencies> pools = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, LongAdder> errorsByKind = new ConcurrentHashMap<>();
  /** Failures by the error type their body or error event named. */
  final ConcurrentHashMap<String, LongAdder> errorsByType = new ConcurrentHashMap<>();

  /** Counters over the measured phase (after warm-up). */
  volatile long sent;
  volatile long blocked;
  volatile long completed;
  volatile long errors;
  /** Requests of this group in flight or waiting for a slot right now, warm-up included. */
  volatile long inflight;
  /** When the last measured response of this group ended (0 = none yet). */
  volatile long lastEndNanos;

  Metrics(boolean vllmView) {
    this.vllmView = vllmView;
    this.overall = new Latencies(vllmView);
  }

  Latencies pool(String name) {
    Latencies l = pools.get(name);
    if (l == null) {
      l = new Latencies(vllmView);
      pools.put(name, l);
    }
    return l;
  }

  /** One failure of a kind, and of the error type its answer named ({@code type} null when none). */
  void error(String kind, String type) {
    errorsByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
    if (type != null) {
      errorsByType.computeIfAbsent(type, k -> new LongAdder()).increment();
    }
  }
}
