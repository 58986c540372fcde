package dev.sluice.calibration;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Tuning of the online calibration. Immutable; validated once at construction.
 *
 * @param decay                per-sample EMA decay of the moments (0.99: an effective window of ~100 samples)
 * @param gamma                spreads taken off the mean ratio for the conservative (routing) ratio
 * @param minSamples           samples a key needs before its learned values replace the prior
 * @param minBytesPerToken     lower bound of a plausible ratio (byte-fallback tokens are ~1 byte each)
 * @param maxBytesPerToken     upper bound of a plausible ratio (long whitespace runs compress well)
 * @param maxInterceptTokens   upper bound of the learned per-request template overhead
 * @param interceptPriorWeight strength of the pull of the intercept towards the prior, in pseudo-samples
 *                             of an empty prompt; it decides the intercept when all prompts are the same size
 * @param sizeOffsetBytes      offset in the 1/(bytes + offset) regression weight, so empty prompts are finite
 * @param spreadHalfBytes      prompt size at which a sample counts half towards the spread
 * @param maxRelativeError     a calibrated key rejects a sample whose count is off by more than this
 *                             fraction of the estimate (plus 32 tokens): a wrong count, not a new trend
 * @param maxModels            models tracked; samples of further models are ignored (model names come from clients)
 * @param priors               prior per category, indexed by {@link ContentCategory#ordinal()}
 */
public record CalibrationParams(
    double decay,
    double gamma,
    int minSamples,
    double minBytesPerToken,
    double maxBytesPerToken,
    double maxInterceptTokens,
    double interceptPriorWeight,
    double sizeOffsetBytes,
    double spreadHalfBytes,
    double maxRelativeError,
    int maxModels,
    CategoryPrior[] priors) {

  public static final double DEFAULT_DECAY = 0.99;
  public static final double DEFAULT_GAMMA = 1.0;
  public static final int DEFAULT_MIN_SAMPLES = 10;
  public static final double DEFAULT_MIN_BYTES_PER_TOKEN = 1.0;
  public static final double DEFAULT_MAX_BYTES_PER_TOKEN = 12.0;
  public static final double DEFAULT_MAX_INTERCEPT_TOKENS = 128.0;
  public static final double DEFAULT_INTERCEPT_PRIOR_WEIGHT = 2.0;
  public static final double DEFAULT_SIZE_OFFSET_BYTES = 64.0;
  public static final double DEFAULT_SPREAD_HALF_BYTES = 1024.0;
  public static final double DEFAULT_MAX_RELATIVE_ERROR = 1.5;
  public static final int DEFAULT_MAX_MODELS = 256;

  /** Tokens added to the relative bound of outlier rejection, so that short prompts are not judged by percent alone. */
  public static final double OUTLIER_SLACK_TOKENS = 32;

  /** One user turn of the Llama 3 chat template: BOS, two role headers, end of turn. */
  public static final double DEFAULT_INTERCEPT_TOKENS = 10.0;

  /**
   * Priors from the corpus measurements (Llama 3 / o200k / cl100k, bytes per token): prose 3.8 to 4.3,
   * CJK 3.7 to 4.3 on modern vocabularies but 2.8 to 3.0 on cl100k, Java 4.2 to 4.3, JSON 3.0 to 3.4,
   * English + Japanese catalogs 3.4 to 4.0. Each prior sits at or below the low end so that an
   * uncalibrated key errs towards more tokens, which routes long rather than failing.
   */
  public static Map<ContentCategory, CategoryPrior> defaultPriors() {
    Map<ContentCategory, CategoryPrior> m = new EnumMap<>(ContentCategory.class);
    m.put(ContentCategory.PROSE, new CategoryPrior(3.9, DEFAULT_INTERCEPT_TOKENS, 0.4));
    m.put(ContentCategory.CJK, new CategoryPrior(3.3, DEFAULT_INTERCEPT_TOKENS, 0.5));
    m.put(ContentCategory.CODE, new CategoryPrior(4.0, DEFAULT_INTERCEPT_TOKENS, 0.5));
    m.put(ContentCategory.JSON, new CategoryPrior(3.0, DEFAULT_INTERCEPT_TOKENS, 0.2));
    m.put(ContentCategory.MIXED, new CategoryPrior(3.4, DEFAULT_INTERCEPT_TOKENS, 0.4));
    m.put(ContentCategory.MULTIMODAL, new CategoryPrior(3.0, DEFAULT_INTERCEPT_TOKENS, 0.5));
    return m;
  }

  public CalibrationParams {
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("calibration.decay must be in (0, 1), got " + decay);
    }
    if (!(gamma >= 0)) {
      throw new IllegalArgumentException("calibration.gamma must be >= 0, got " + gamma);
    }
    if (minSamples < 1) {
      throw new IllegalArgumentException("calibration.minSamples must be >= 1, got " + minSamples);
    }
    if (!(minBytesPerToken > 0 && maxBytesPerToken > minBytesPerToken)) {
      throw new IllegalArgumentException("calibration bounds need 0 < minBytesPerToken < maxBytesPerToken");
    }
    if (!(maxInterceptTokens >= 0) || !(interceptPriorWeight > 0) || !(sizeOffsetBytes > 0)
        || !(spreadHalfBytes > 0) || !(maxRelativeError > 0) || maxModels < 1) {
      throw new IllegalArgumentException("calibration: maxInterceptTokens >= 0, interceptPriorWeight, "
          + "sizeOffsetBytes, spreadHalfBytes, maxRelativeError > 0 and maxModels >= 1 required");
    }
    if (priors == null || priors.length != ContentCategory.count()) {
      throw new IllegalArgumentException("calibration.priors needs one prior per category");
    }
    priors = priors.clone();
    for (int i = 0; i < priors.length; i++) {
      if (priors[i] == null) {
        throw new IllegalArgumentException("calibration.priors." + ContentCategory.ofOrdinal(i).id() + " missing");
      }
    }
  }

  public static CalibrationParams defaults() {
    return withPriors(defaultPriors(), DEFAULT_DECAY, DEFAULT_GAMMA, DEFAULT_MIN_SAMPLES);
  }

  /** Defaults with the commonly tuned knobs replaced; categories missing from {@code priors} keep the default. */
  public static CalibrationParams withPriors(Map<ContentCategory, CategoryPrior> priors, double decay, double gamma,
      int minSamples) {
    Map<ContentCategory, CategoryPrior> all = defaultPriors();
    all.putAll(priors);
    CategoryPrior[] arr = new CategoryPrior[ContentCategory.count()];
    all.forEach((c, p) -> arr[c.ordinal()] = p);
    return new CalibrationParams(decay, gamma, minSamples, DEFAULT_MIN_BYTES_PER_TOKEN, DEFAULT_MAX_BYTES_PER_TOKEN,
        DEFAULT_MAX_INTERCEPT_TOKENS, DEFAULT_INTERCEPT_PRIOR_WEIGHT, DEFAULT_SIZE_OFFSET_BYTES,
        DEFAULT_SPREAD_HALF_BYTES, DEFAULT_MAX_RELATIVE_ERROR, DEFAULT_MAX_MODELS, arr);
  }

  public CategoryPrior prior(ContentCategory c) {
    return priors[c.ordinal()];
  }

  @Override
  public CategoryPrior[] priors() {
    return priors.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CalibrationParams p && decay == p.decay && gamma == p.gamma && minSamples == p.minSamples
        && minBytesPerToken == p.minBytesPerToken && maxBytesPerToken == p.maxBytesPerToken
        && maxInterceptTokens == p.maxInterceptTokens && interceptPriorWeight == p.interceptPriorWeight
        && sizeOffsetBytes == p.sizeOffsetBytes && spreadHalfBytes == p.spreadHalfBytes
        && maxRelativeError == p.maxRelativeError && maxModels == p.maxModels && Arrays.equals(priors, p.priors);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(priors) * 31 + Double.hashCode(decay) + minSamples;
  }

  @Override
  public String toString() {
    return "CalibrationParams[decay=" + decay + ", gamma=" + gamma + ", minSamples=" + minSamples + ", priors="
        + Arrays.toString(priors) + "]";
  }
}
