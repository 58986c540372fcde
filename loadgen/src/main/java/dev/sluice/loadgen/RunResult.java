package dev.sluice.loadgen;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Everything a run measured, merged over verticles. Histograms are in microseconds.
 *
 * @param scheduled      requests the schedule placed in the measured phase
 * @param durationNanos  length of the measured phase (schedule time, not drain time)
 * @param errorsByKind   HTTP status code or {@code connection}, {@code timeout}, {@code pool-busy}
 * @param unfinished     requests still in flight when the drain gave up
 * @param overall        all pools together
 * @param pools          by the {@code x-sluice-pool} response header, when the target sets it
 * @param timeline       one point per second of the measured phase
 */
public record RunResult(
    long scheduled,
    long sent,
    long completed,
    long errors,
    long blocked,
    long unfinished,
    long durationNanos,
    Map<String, Long> errorsByKind,
    Histogram sendLag,
    Group overall,
    Map<String, Group> pools,
    List<Second> timeline) {

  /** Latencies and counts of one pool, or of all. */
  public record Group(long completed, long good, long tokens, long errors, Histogram latency, Histogram ttft,
      Histogram itl, Histogram tpot) {
  }

  /**
   * One second of the measured phase.
   *
   * @param t              seconds since the start of the measured phase, at the end of this second
   * @param sent           requests sent during the second
   * @param completed      requests completed during the second
   * @param errors         requests failed during the second
   * @param inflight       requests in flight at the end of the second
   * @param p99Millis      p99 end-to-end latency of the requests completed during the second
   * @param completedByPool completed requests by pool during the second
   */
  public record Second(double t, long sent, long completed, long errors, long inflight, double p99Millis,
      Map<String, Long> completedByPool) {
  }

  public double achievedRate() {
    return durationNanos == 0 ? 0 : sent / (durationNanos / 1e9);
  }

  public double completedRate() {
    return durationNanos == 0 ? 0 : completed / (durationNanos / 1e9);
  }

  public double sendLagP99Millis() {
    return sendLag.getTotalCount() == 0 ? 0 : sendLag.getValueAtPercentile(99) / 1000.0;
  }

  /** Whether the generator kept to its schedule (send-lag p99 within {@link LoadSpec#MAX_SEND_LAG_P99_MILLIS}). */
  public boolean valid() {
    return sendLagP99Millis() <= LoadSpec.MAX_SEND_LAG_P99_MILLIS;
  }
}
