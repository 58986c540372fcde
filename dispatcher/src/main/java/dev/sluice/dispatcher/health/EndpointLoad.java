package dev.sluice.dispatcher.health;

/**
 * What an endpoint's last {@code /metrics} scrape said. Immutable; published by a volatile write.
 *
 * @param running       {@code vllm:num_requests_running}, summed over label sets; -1 when absent
 * @param waiting       {@code vllm:num_requests_waiting}, summed; -1 when absent
 * @param kvCacheUsage  {@code vllm:kv_cache_usage_perc} (or the pre-0.10 {@code vllm:gpu_cache_usage_perc}),
 *                      the highest over label sets, as a fraction in [0,1]; -1 when absent
 * @param atNanos       {@link System#nanoTime()} of the scrape
 * @param promptTokens  {@code vllm:prompt_tokens_total}, summed over label sets; -1 when absent
 * @param generationTokens {@code vllm:generation_tokens_total}, summed; -1 when absent
 */
public record EndpointLoad(double running, double waiting, double kvCacheUsage, long atNanos, double promptTokens,
    double generationTokens) {

  /** No scrape yet: every field unknown. */
  public static final EndpointLoad UNKNOWN = new EndpointLoad(-1, -1, -1, Long.MIN_VALUE);

  /** A snapshot without token counters. */
  public EndpointLoad(double running, double waiting, double kvCacheUsage, long atNanos) {
    this(running, waiting, kvCacheUsage, atNanos, -1, -1);
  }

  public boolean known() {
    return atNanos != Long.MIN_VALUE && (running >= 0 || waiting >= 0 || kvCacheUsage >= 0);
  }

  /** Whether this snapshot is recent enough to act on. */
  public boolean fresh(long nowNanos, long staleMillis) {
    return known() && nowNanos - atNanos <= staleMillis * 1_000_000L;
  }

  /** Waiting requests, 0 when unknown. */
  public double waitingOrZero() {
    return waiting < 0 ? 0 : waiting;
  }

  /** KV-cache fill, 0 when unknown. */
  public double kvOrZero() {
    return kvCacheUsage < 0 ? 0 : kvCacheUsage;
  }
}
