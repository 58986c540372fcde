package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ContentCategory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The estimator's meters. Names are given in Micrometer's dotted form; the Prometheus registry exports
 * them as {@code sluice_calibration_bytes_per_token{model,category}}, {@code sluice_calibration_samples{model,category}},
 * {@code sluice_estimation_relative_error{category}} (a histogram of |estimate - actual| / actual of the
 * unbiased estimate) and {@code sluice_misroutes_total{kind}} (kind under: sent to a pool too small, found
 * by its context-length error; over: sent to a larger pool though the actual budget fitted a smaller one).
 *
 * <p>Pass it to {@link CalibratingEstimator} as its listener so the error histogram is fed.
 */
public final class CalibrationMetrics implements EstimationListener {

  public static final String BYTES_PER_TOKEN = "sluice.calibration.bytes.per.token";
  public static final String SAMPLES = "sluice.calibration.samples";
  public static final String RELATIVE_ERROR = "sluice.estimation.relative.error";
  public static final String MISROUTES = "sluice.misroutes";

  private static final double[] ERROR_BUCKETS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0};

  private final DistributionSummary[] errors = new DistributionSummary[ContentCategory.count()];
  private final Counter under;
  private final Counter over;

  private CalibrationMetrics(MeterRegistry registry, CalibrationTable table) {
    for (ContentCategory c : ContentCategory.values()) {
      errors[c.ordinal()] = DistributionSummary.builder(RELATIVE_ERROR)
          .description("Relative error of the unbiased prompt-token estimate against usage.prompt_tokens")
          .tag("category", c.id())
          .serviceLevelObjectives(ERROR_BUCKETS)
          .register(registry);
    }
    under = misroutes(registry, "under");
    over = misroutes(registry, "over");
    table.onNewModel(model -> {
      for (ContentCategory c : ContentCategory.values()) {
        Gauge.builder(BYTES_PER_TOKEN, table, t -> t.view(model, c).bytesPerToken())
            .description("Mean bytes per token learned for (model, category); the prior until calibrated")
            .tags("model", model, "category", c.id())
            .register(registry);
        Gauge.builder(SAMPLES, table, t -> t.view(model, c).samples())
            .description("Usage samples behind the calibration of (model, category)")
            .tags("model", model, "category", c.id())
            .register(registry);
      }
    });
  }

  /** Registers the meters on {@code registry}; per-model gauges appear as models are first seen. */
  public static CalibrationMetrics register(MeterRegistry registry, CalibrationTable table) {
    return new CalibrationMetrics(registry, table);
  }

  private static Counter misroutes(MeterRegistry registry, String kind) {
    return Counter.builder(MISROUTES)
        .description("Requests routed to the wrong pool by their estimate")
        .tag("kind", kind)
        .register(registry);
  }

  /** A request failed with a context-length error on a pool its estimate said it fitted. */
  public void misrouteUnder() {
    under.increment();
  }

  /** A request went to a larger pool although its actual budget fitted a smaller one. */
  public void misrouteOver() {
    over.increment();
  }

  @Override
  public void sample(Budget budget, int actualPromptTokens) {
    ContentCategory c = ContentCategory.byId(budget.category());
    if (c != null && actualPromptTokens > 0) {
      errors[c.ordinal()].record(Math.abs(budget.promptEstimate() - actualPromptTokens) / (double) actualPromptTokens);
    }
  }
}
