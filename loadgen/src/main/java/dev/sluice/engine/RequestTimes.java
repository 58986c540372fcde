package dev.sluice.engine;

/**
 * One finished request's accounting, in engine nanoseconds. {@code cachedTokens} is the prompt's prefix-cache hit
 * when it was first scheduled (vLLM's {@code num_cached_tokens}).
 */
public record RequestTimes(long id, int promptTokens, int outputTokens, long arrivalNanos, long firstTokenNanos,
    long finishNanos, int preemptions, int cachedTokens) {

  public long ttftNanos() {
    return firstTokenNanos - arrivalNanos;
  }

  public long e2eNanos() {
    return finishNanos - arrivalNanos;
  }
}
