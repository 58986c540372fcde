package dev.sluice.dispatcher.estimate;

/** Told about every actual count fed back to an estimator (for error metrics). */
@FunctionalInterface
public interface EstimationListener {

  void sample(Budget budget, int actualPromptTokens);

  EstimationListener NONE = (budget, actual) -> {
  };
}
