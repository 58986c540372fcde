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
 * @param queueWait      time requests waited for a concurrency slot (empty without a concurrency cap)
 * @param spanNanos      from the start of the measured phase to the end of its last successful response
 * @param errorsByType   failures by the error type their answer named ({@code BadRequestError},
 *                       {@code overloaded_error}, ...); failures that named none are not in it
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
    List<Second> timeline,
    Histogram queueWait,
    long spanNanos,
    Map<String, Long> errorsByType) {

  /** A result without a concurrency cap, a measured span or error types. */
  public RunResult(long scheduled, long sent, long completed, long errors, long blocked, long unfinished,
      long durationNanos, Map<String, Long> errorsByKind, Histogram sendLag, Group overall, Map<String, Group> pools,
      List<Second> timeline) {
    this(scheduled, sent, completed, errors, blocked, unfinished, durationNanos, errorsByKind, sendLag, overall, pools,
        timeline, LoadRun.newHistogram(), 0, Map.of());
  }

  /**
   * Latencies and counts of one pool, or of all.
   *
   * @param tokens       SSE events of the completed requests
   * @param inputTokens  prompt tokens of the completed requests, as their bodies were sized (0 when not known)
   * @param vllm         the same requests measured as vLLM's benchmark does, or null when not recorded
   * @param usage        what the completed requests' answers stated as their usage
   */
  public record Group(long completed, long good, long tokens, long errors, Histogram latency, Histogram ttft,
      Histogram itl, Histogram tpot, long inputTokens, VllmView vllm, Usage usage) {

    public Group(long completed, long good, long tokens, long errors, Histogram latency, Histogram ttft,
        Histogram itl, Histogram tpot) {
      this(completed, good, tokens, errors, latency, ttft, itl, tpot, 0, null, Usage.NONE);
    }
  }

  /**
   * The usage completed answers stated, in each API's own fields ({@code prompt_tokens} / {@code completion_tokens}
   * or {@code input_tokens} / {@code output_tokens}).
   *
   * @param answers      completed requests whose answer stated its input tokens
   * @param inputTokens  input tokens over those answers (the server's count: chat template included)
   * @param outputTokens output tokens over those answers (0 for embeddings)
   */
  public record Usage(long answers, long inputTokens, long outputTokens) {
    public static final Usage NONE = new Usage(0, 0, 0);
  }

  /**
   * TTFT and end-to-end latency from the actual send (vLLM starts its clock there, after any wait for a concurrency
   * slot), and TPOT as (last event - first event) / (completion tokens - 1) with one role event per stream.
   */
  public record VllmView(Histogram ttft, Histogram latency, Histogram tpot) {
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
