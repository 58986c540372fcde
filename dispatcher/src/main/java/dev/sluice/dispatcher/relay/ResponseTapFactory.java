package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.scan.RequestFacts;

/** Makes the {@link ResponseTap} of one response (2xx only; error bodies are never tapped). */
@FunctionalInterface
public interface ResponseTapFactory {

  /**
   * @param facts      the scanned request
   * @param budget     its estimate
   * @param stripUsage Sluice asked the upstream for {@code include_usage} on the client's behalf, so the
   *                   usage-only SSE event must not reach the client
   */
  ResponseTap create(RequestFacts facts, Budget budget, boolean stripUsage);

  /**
   * The same, for a request whose key is charged on its actual tokens: the tap also reads
   * {@code usage.completion_tokens} when {@code countCompletion}. A factory that never reads it ignores the flag.
   */
  default ResponseTap create(RequestFacts facts, Budget budget, boolean stripUsage, boolean countCompletion) {
    return create(facts, budget, stripUsage);
  }

  /** Forwards everything, reads nothing. */
  ResponseTapFactory NONE = (facts, budget, stripUsage) -> ResponseTap.NONE;
}
