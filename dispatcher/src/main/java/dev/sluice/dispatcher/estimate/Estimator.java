package dev.sluice.dispatcher.estimate;

import dev.sluice.dispatcher.scan.RequestFacts;

/**
 * Turns what the scanner saw into a token budget. Called on the event loop: must not block, lock or
 * touch the network.
 */
public interface Estimator {

  /**
   * @param facts            the scanned request
   * @param categoryOverride a category named by the client or a config rule, or null to classify
   * @param defaultReserve   output reserve to use when the request names no max_tokens
   */
  Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve);

  /**
   * Feeds back what the upstream counted for a request estimated by this estimator. May be called on any
   * thread; must be cheap.
   */
  void observe(Budget budget, int actualPromptTokens);
}
