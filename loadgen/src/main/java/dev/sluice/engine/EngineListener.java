package dev.sluice.engine;

/**
 * What an {@link Engine} step produced, delivered in order at the step's end time. Tokens of one step are
 * reported in the order of the running queue (oldest first). All times are engine (virtual) nanoseconds.
 */
public interface EngineListener {

  /** One output token; {@code index} is 0 for the first token, so index 0 is the TTFT moment. */
  default void onToken(long id, int index, long timeNanos) {
  }

  /** The sequence generated all its output tokens and released its KV blocks. */
  default void onFinish(RequestTimes times) {
  }

  /** The sequence lost its KV blocks and went back to the head of the waiting queue (recompute). */
  default void onPreempt(long id, long timeNanos) {
  }

  /** An {@link Engine#abort} took effect and the sequence's KV blocks were freed. */
  default void onAbort(long id, long timeNanos) {
  }

  /** Does nothing. */
  EngineListener NONE = new EngineListener() {
  };
}
