package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ClassTable;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.calibration.NodeCalibration;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The estimator's meters. Names are given in Micrometer's dotted form; the Prometheus registry exports
 * them as {@code sluice_calibration_bytes_per_token{model,category}}, {@code sluice_calibration_samples{model,category}}
 * (the per-category ratios), {@code sluice_calibration_class_samples{model}} and
 * {@code sluice_calibration_class_spread{model}} (each model's byte-class regression: its samples and the
 * relative spread of its estimate), {@code sluice_estimation_relative_error{category}} (a histogram of
 * |estimate - actual| / actual of the unbiased estimate). Misroutes are counted by the relay, which sees
 * the pools ({@code sluice_misroutes_total}).
 *
 * <p>Pass it to {@link CalibratingEstimator} as its listener so the error histogram is fed.
 */
public final class CalibrationMetrics implements EstimationListener {

  public static final String BYTES_PER_TOKEN = "sluice.calibration.bytes.per.token";
  public static final String SAMPLES = "sluice.calibration.samples";
  public static final String CLASS_SAMPLES = "sluice.calibration.class.samples";
  public static final String CLASS_SPREAD = "sluice.calibration.class.spread";
  public static final String RELATIVE_ERROR = "sluice.estimation.relative.error";

  private static final double[] ERROR_BUCKETS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0};

  private final DistributionSummary[] errors = new DistributionSummary[ContentCategory.count()];

  private CalibrationMetrics(MeterRegistry registry, NodeCalibration calibration) {
    CalibrationTable table = calibration.ratios();
    ClassTable classes = calibration.classes();
    for (ContentCategory c : ContentCategory.values()) {
      errors[c.ordinal()] = DistributionSummary.builder(RELATIVE_ERROR)
          .description("Relative error of the unbiased prompt-token estimate against usage.prompt_tokens")
          .tag("category", c.id())
          .serviceLevelObjectives(ERROR_BUCKETS)
          .register(registry);
    }
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
    classes.onNewModel(model -> {
      Gauge.builder(CLASS_SAMPLES, classes, t -> t.view(model).samples())
          .description("Usage samples behind the byte-class regression of the model")
          .tag("model", model)
          .register(registry);
      Gauge.builder(CLASS_SPREAD, classes, t -> t.view(model).spread())
          .description("Decayed mean relative error of the byte-class estimate; the band routing widens by")
          .tag("model", model)
          .register(registry);
    });
  }

  /** Registers the meters on {@code registry}; per-model gauges appear as models are first seen. */
  public static CalibrationMetrics register(MeterRegistry registry, NodeCalibration calibration) {
    return new CalibrationMetrics(registry, calibration);
  }

  @Override
  public void sample(Budget budget, int actualPromptTokens) {
    ContentCategory c = ContentCategory.byId(budget.category());
    if (c != null && actualPromptTokens > 0) {
      errors[c.ordinal()].record(Math.abs(budget.promptEstimate() - actualPromptTokens) / (double) actualPromptTokens);
    }
  }
}
