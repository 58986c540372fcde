package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.ClassView;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.calibration.KeyView;
import dev.sluice.calibration.NodeCalibration;
import dev.sluice.dispatcher.rate.CellRate;
import dev.sluice.dispatcher.scan.RequestFacts;

/**
 * The self-calibrating estimator. By default it routes on each model's byte-class regression
 * ({@code prompt = intercept + Σ weight(class) · count(class)}, {@link Model#CLASSES}); the per-category
 * bytes-per-token ratios ({@link Model#RATIOS}) are learned beside it and can be routed on instead. The
 * budget carries the band around the unbiased estimate: its upper edge routes, and a pool threshold inside
 * it is worth an exact count.
 *
 * <p>The request path is a classification (a few divisions), one map lookup, one volatile read and one
 * pass over the fixed list of byte classes, with no allocation but the budget. Feedback goes to both
 * calibrations on whatever thread delivers it, and always pairs the upstream's count with the raw counts
 * the estimate was made from, never with an estimate: feeding a corrected estimate back would make the
 * calibration converge to the wrong value.
 */
public final class CalibratingEstimator implements Estimator {

  /** Tokens added for a request carrying images; their count is not in the text. */
  public static final int DEFAULT_IMAGE_TOKENS = 1024;

  /**
   * Samples (an upstream's prompt counts, from usage or a context-length refusal) a node learns from per second, at
   * most (bursts of as many). The calibration's windows are a few hundred samples (its decays), so a thousand a
   * second renews them several times a second; at proxy rates of tens of thousands of answers a second, learning
   * from every one would spend more CPU on the regression than on the rest of the answer's bookkeeping, and shrink
   * the window to a few milliseconds of traffic. Every sample is still measured: the estimate's error goes to the
   * calibration metrics whether it is learned from or not.
   */
  public static final int LEARNED_PER_SECOND = 1_000;
  private static final long SECOND_NANOS = 1_000_000_000L;

  /** Which learned calibration routes. */
  public enum Model {
    /** The byte-class regression per model. */
    CLASSES,
    /** The bytes-per-token ratio per (model, category). */
    RATIOS
  }

  private final NodeCalibration calibration;
  private final Model model;
  private final int imageTokens;
  private final EstimationListener listener;
  /** Which samples are learned from: at most {@code learnedPerSecond} a second, a second's worth at once. */
  private final CellRate learning;

  public CalibratingEstimator(NodeCalibration calibration) {
    this(calibration, Model.CLASSES, DEFAULT_IMAGE_TOKENS, EstimationListener.NONE);
  }

  public CalibratingEstimator(NodeCalibration calibration, Model model, int imageTokens,
      EstimationListener listener) {
    this(calibration, model, imageTokens, listener, LEARNED_PER_SECOND);
  }

  /** @param learnedPerSecond samples learned from per second at most; 0 learns from every one */
  public CalibratingEstimator(NodeCalibration calibration, Model model, int imageTokens,
      EstimationListener listener, int learnedPerSecond) {
    if (imageTokens < 0) {
      throw new IllegalArgumentException("imageTokens must be >= 0");
    }
    if (learnedPerSecond < 0) {
      throw new IllegalArgumentException("learnedPerSecond must be >= 0");
    }
    this.calibration = calibration;
    this.model = model;
    this.imageTokens = imageTokens;
    this.listener = listener == null ? EstimationListener.NONE : listener;
    this.learning = new CellRate(learnedPerSecond, SECOND_NANOS, System.nanoTime());
  }

  public NodeCalibration calibration() {
    return calibration;
  }

  @Override
  public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
    ContentCategory category = categoryOverride == null ? null : ContentCategory.byId(categoryOverride);
    if (category == null) {
      category = CategoryClassifier.classify(facts);
    }
    long bytes = facts.textBytes();
    // token ids given as such are counted exactly; images are estimated apart from the text
    int extra = (facts.hasImages() ? imageTokens : 0) + facts.tokenIds();
    int prompt;
    int low;
    int routing;
    boolean calibrated;
    if (model == Model.CLASSES) {
      ClassView view = calibration.classes().view(facts.model());
      double tokens = view.tokens(facts.features(), bytes);
      prompt = ClassView.ceil(tokens);
      low = ClassView.ceil(view.lower(tokens));
      routing = ClassView.ceil(view.upper(tokens));
      calibrated = view.calibrated();
    } else {
      KeyView view = calibration.ratios().view(facts.model(), category);
      prompt = view.promptTokens(bytes);
      low = prompt;
      routing = view.routingTokens(bytes);
      calibrated = view.calibrated();
    }
    int reserve = facts.maxTokens() >= 0 ? facts.maxTokens() : defaultReserve;
    return new Budget(facts.model(), category.id(), bytes, facts.features(), saturatedAdd(prompt, extra),
        saturatedAdd(low, extra), saturatedAdd(routing, extra), reserve, calibrated,
        // a count that includes token ids or images says nothing about the text's bytes per token
        category != ContentCategory.MULTIMODAL && facts.tokenIds() == 0, EstimateSource.CALIBRATED);
  }

  @Override
  public void observe(Budget budget, int actualPromptTokens) {
    if (actualPromptTokens <= 0) {
      return;
    }
    listener.sample(budget, actualPromptTokens);
    if (!budget.feedsCalibration() || learning.tryTake(1, System.nanoTime()) != 0) {
      return;
    }
    ContentCategory category = ContentCategory.byId(budget.category());
    if (category != null && category != ContentCategory.MULTIMODAL) {
      calibration.ratios().observe(budget.model(), category, budget.textBytes(), actualPromptTokens);
    }
    if (budget.counts() != null) {
      calibration.classes().observe(budget.model(), budget.counts(), budget.textBytes(), actualPromptTokens);
    }
  }

  private static int saturatedAdd(int a, int b) {
    long s = (long) a + b;
    return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) s;
  }
}
