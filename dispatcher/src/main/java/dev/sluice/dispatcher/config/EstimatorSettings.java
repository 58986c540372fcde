package dev.sluice.dispatcher.config;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import dev.sluice.dispatcher.estimate.CalibratingEstimator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code estimator:} section: which learned estimate routes, and the exact count at pool boundaries.
 *
 * @param model                 the byte-class regression per model, or the bytes-per-token ratio per model and
 *                              category; both are learned either way
 * @param exactCount            ask the candidate pool's {@code POST /tokenize} when the estimate's band
 *                              straddles a pool's context
 * @param exactCountDeadlineMs  how long a request waits for that count before it is routed on the estimate
 * @param exactCountMaxInFlight exact counts running at once on this node; a request that finds them all busy is
 *                              routed on the estimate
 */
public record EstimatorSettings(CalibratingEstimator.Model model, boolean exactCount, int exactCountDeadlineMs,
    int exactCountMaxInFlight) {

  static final Key<EstimatorSettings, CalibratingEstimator.Model> MODEL = Key.of("model",
          Type.choice(models()), EstimatorSettings::model).byDefault(CalibratingEstimator.Model.CLASSES)
      .doc("what routes: `classes`, each model's regression on the byte classes of the prompt's text, or "
          + "`ratios`, the bytes-per-token ratio of the prompt's content category (docs/estimator.md)");
  static final Key<EstimatorSettings, Boolean> EXACT_COUNT = Key.of("exact_count", Type.BOOLEAN,
          EstimatorSettings::exactCount).byDefault(true)
      .doc("when a request's estimated band holds a pool's context, ask that pool's `POST /tokenize` before "
          + "routing it; a request not counted in time goes on its estimate");
  /**
   * A vLLM server tokenizes a few thousand tokens in about a millisecond, so a count that takes longer than this
   * is stuck behind something, and the request should not wait for it.
   */
  static final Key<EstimatorSettings, Integer> EXACT_COUNT_DEADLINE_MS = Key.of("exact_count_deadline_ms",
          Type.INTEGER, EstimatorSettings::exactCountDeadlineMs).byDefault(25).positive()
      .doc("how long a request waits for its exact count before it is routed on its estimate");
  /** Bounds the load a burst of boundary requests puts on the pools' tokenizers. */
  static final Key<EstimatorSettings, Integer> EXACT_COUNT_MAX_IN_FLIGHT = Key.of("exact_count_max_in_flight",
          Type.INTEGER, EstimatorSettings::exactCountMaxInFlight).byDefault(64).positive()
      .doc("exact counts running at once on a node; a request that finds them all busy goes on its estimate");

  public static final Section<EstimatorSettings> SECTION = Section.of("estimator",
      v -> new EstimatorSettings(v.get(MODEL), v.get(EXACT_COUNT), v.get(EXACT_COUNT_DEADLINE_MS),
          v.get(EXACT_COUNT_MAX_IN_FLIGHT)),
      MODEL, EXACT_COUNT, EXACT_COUNT_DEADLINE_MS, EXACT_COUNT_MAX_IN_FLIGHT);

  public static final EstimatorSettings DEFAULTS = SECTION.defaults();

  /** These settings with the exact count on or off. */
  public EstimatorSettings withExactCount(boolean value) {
    return SECTION.with(this, EXACT_COUNT, value);
  }

  /** These settings routing on {@code value}. */
  public EstimatorSettings withModel(CalibratingEstimator.Model value) {
    return SECTION.with(this, MODEL, value);
  }

  private static Map<String, CalibratingEstimator.Model> models() {
    Map<String, CalibratingEstimator.Model> words = new LinkedHashMap<>();
    words.put("classes", CalibratingEstimator.Model.CLASSES);
    words.put("ratios", CalibratingEstimator.Model.RATIOS);
    return words;
  }
}
