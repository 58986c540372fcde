package dev.sluice.planner;

/**
 * Chooses a pool for one request from what a dispatcher could know about it. The simulation also passes
 * the true prompt token count so that an oracle policy (and accounting of misroutes) is possible; a
 * realistic policy must not read it.
 */
@FunctionalInterface
public interface RoutingPolicy {
  int SHORT = 0;
  int LONG = 1;

  /**
   * @param promptTokens true prompt tokens (for oracles only)
   * @param promptBytes  UTF-8 bytes of the prompt text
   * @param maxTokens    the request's output budget
   * @return {@link #SHORT} or {@link #LONG}
   */
  int route(int promptTokens, long promptBytes, int maxTokens);

  /** Routes on the true total: what a tokenizer-exact router would do. */
  static RoutingPolicy oracle(int shortContext) {
    return (promptTokens, promptBytes, maxTokens) -> promptTokens + maxTokens <= shortContext ? SHORT : LONG;
  }

  /**
   * Routes on {@code ceil(bytes / ratio) + maxTokens} with one conservative (low) bytes-per-token ratio,
   * like a calibrated estimator that has settled.
   */
  static RoutingPolicy conservativeRatio(int shortContext, double bytesPerToken) {
    if (!(bytesPerToken > 0)) {
      throw new IllegalArgumentException("bytesPerToken must be positive");
    }
    return (promptTokens, promptBytes, maxTokens) ->
        Math.ceil(promptBytes / bytesPerToken) + maxTokens <= shortContext ? SHORT : LONG;
  }
}
