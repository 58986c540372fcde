package dev.sluice.dispatcher.estimate;

import dev.sluice.dispatcher.scan.RequestFacts;

/** A constant bytes-per-token ratio for every request: the baseline other routers use. */
public final class FixedRatioEstimator implements Estimator {
  private final double bytesPerToken;

  public FixedRatioEstimator(double bytesPerToken) {
    this.bytesPerToken = bytesPerToken;
  }

  @Override
  public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
    int prompt = (int) Math.ceil(facts.textBytes() / bytesPerToken) + facts.tokenIds();
    int perChoice = facts.maxTokens() >= 0 ? facts.maxTokens() : defaultReserve;
    String category = categoryOverride != null ? categoryOverride : "default";
    return new Budget(facts.model(), category, facts.textBytes(), null, prompt, prompt, prompt, perChoice, false, false,
        EstimateSource.CALIBRATED);
  }

  @Override
  public void observe(Budget budget, int actualPromptTokens) {
  }
}
