package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.calibration.KeyView;
import dev.sluice.dispatcher.scan.RequestFacts;

/**
 * The self-calibrating estimator: {@code prompt = intercept + textBytes / ratio} per (model, category),
 * from the table's current view. The routing estimate uses the conservative ratio
 * ({@code mean - gamma * spread}); the unbiased one (mean ratio) is reported beside it.
 *
 * <p>The request path is a classification (a few divisions), one map lookup and one volatile array
 * read. Feedback goes to the table on whatever thread delivers it, and always pairs the upstream's count
 * with the raw byte count the estimate was made from, never with an estimate: feeding a corrected
 * estimate back would make the ratio converge to the wrong value.
 */
public final class CalibratingEstimator implements Estimator {

  /** Tokens added for a request carrying images; their count is not in the text. */
  public static final int DEFAULT_IMAGE_TOKENS = 1024;

  private final CalibrationTable table;
  private final int imageTokens;
  private final EstimationListener listener;

  public CalibratingEstimator(CalibrationTable table) {
    this(table, DEFAULT_IMAGE_TOKENS, EstimationListener.NONE);
  }

  public CalibratingEstimator(CalibrationTable table, int imageTokens, EstimationListener listener) {
    if (imageTokens < 0) {
      throw new IllegalArgumentException("imageTokens must be >= 0");
    }
    this.table = table;
    this.imageTokens = imageTokens;
    this.listener = listener == null ? EstimationListener.NONE : listener;
  }

  public CalibrationTable table() {
    return table;
  }

  @Override
  public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
    ContentCategory category = categoryOverride == null ? null : ContentCategory.byId(categoryOverride);
    if (category == null) {
      category = CategoryClassifier.classify(facts);
    }
    KeyView view = table.view(facts.model(), category);
    long bytes = facts.textBytes();
    int extra = facts.hasImages() ? imageTokens : 0;
    int prompt = saturatedAdd(view.promptTokens(bytes), extra);
    int routing = saturatedAdd(view.routingTokens(bytes), extra);
    int reserve = facts.maxTokens() >= 0 ? facts.maxTokens() : defaultReserve;
    return new Budget(facts.model(), category.id(), bytes, prompt, routing, reserve, view.calibrated(),
        category != ContentCategory.MULTIMODAL);
  }

  @Override
  public void observe(Budget budget, int actualPromptTokens) {
    if (actualPromptTokens <= 0) {
      return;
    }
    listener.sample(budget, actualPromptTokens);
    if (!budget.feedsCalibration()) {
      return;
    }
    ContentCategory category = ContentCategory.byId(budget.category());
    if (category != null && category != ContentCategory.MULTIMODAL) {
      table.observe(budget.model(), category, budget.textBytes(), actualPromptTokens);
    }
  }

  private static int saturatedAdd(int a, int b) {
    long s = (long) a + b;
    return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) s;
  }
}
