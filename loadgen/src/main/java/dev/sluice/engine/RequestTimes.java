package dev.sluice.engine;

/** One finished request's accounting, in engine nanoseconds. */
public record RequestTimes(long id, int promptTokens, int outputTokens, long arrivalNanos, long firstTokenNanos,
    long finishNanos, int preemptions) {

  public long ttftNanos() {
    return firstTokenNanos - arrivalNanos;
  }

  public long e2eNanos() {
    return finishNanos - arrivalNanos;
  }
}
