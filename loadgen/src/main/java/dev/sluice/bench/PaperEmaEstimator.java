package dev.sluice.bench;

import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.CategoryClassifier;
import dev.sluice.dispatcher.estimate.EstimateSource;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.scan.RequestFacts;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The paper's published calibrator as a live estimator, for comparison: per category, prior 4.0 until
 * 10 samples; the first sample sets the mean and the low ratio; then the mean is an EMA with decay 0.995
 * and the low ratio moves 0.9 of the way down and 0.1 up. The observed ratio is bytes / prompt tokens,
 * with no intercept. Model names are ignored (one model per bench node).
 */
final class PaperEmaEstimator implements Estimator {
  private static final double PRIOR = 4.0;
  private static final int MIN_SAMPLES = 10;
  private static final double DECAY = 0.995;
  private static final double DOWN = 0.9;
  private static final double UP = 0.1;

  private record State(int samples, double mean, double low) {
  }

  private final AtomicReferenceArray<State> states = new AtomicReferenceArray<>(ContentCategory.count());

  PaperEmaEstimator() {
    for (int i = 0; i < states.length(); i++) {
      states.set(i, new State(0, PRIOR, PRIOR));
    }
  }

  @Override
  public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
    ContentCategory category = categoryOverride == null ? null : ContentCategory.byId(categoryOverride);
    if (category == null) {
      category = CategoryClassifier.classify(facts);
    }
    State s = states.get(category.ordinal());
    boolean calibrated = s.samples() >= MIN_SAMPLES;
    long bytes = facts.textBytes();
    int prompt = tokens(bytes, calibrated ? s.mean() : PRIOR);
    int routing = tokens(bytes, calibrated ? s.low() : PRIOR);
    int reserve = facts.maxTokens() >= 0 ? facts.maxTokens() : defaultReserve;
    return new Budget(facts.model(), category.id(), bytes, null, prompt, prompt, routing, reserve, calibrated, true,
        EstimateSource.CALIBRATED);
  }

  private static int tokens(long bytes, double ratio) {
    return (int) Math.max(1, Math.ceil(bytes / ratio));
  }

  @Override
  public void observe(Budget budget, int actualPromptTokens) {
    ContentCategory category = ContentCategory.byId(budget.category());
    if (category == null || actualPromptTokens <= 0 || budget.textBytes() <= 0) {
      return;
    }
    double obs = budget.textBytes() / (double) actualPromptTokens;
    int i = category.ordinal();
    State s;
    State next;
    do {
      s = states.get(i);
      next = s.samples() == 0 ? new State(1, obs, obs)
          : new State(s.samples() + 1, DECAY * s.mean() + (1 - DECAY) * obs,
              s.low() + (obs < s.low() ? DOWN : UP) * (obs - s.low()));
    } while (!states.compareAndSet(i, s, next));
  }
}
