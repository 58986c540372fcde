package dev.sluice.dispatcher.admission;

import dev.sluice.config.Group;
import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * Bounds of one pool's admission: the {@code reliability.admission:} section. Nothing here is unbounded:
 * in-flight scales with the endpoints that are available, the wait line has a fixed length and every
 * waiter a deadline.
 *
 * @param maxInFlightPerEndpoint requests Sluice keeps in flight per available endpoint (vLLM batches
 *                               them; beyond its {@code max_num_seqs} they would only queue inside vLLM)
 * @param maxWaiters             requests that may wait for a slot; more are refused at once
 * @param maxWaitMillis          longest a request waits for a slot before it is refused
 * @param retryAfterContendedSeconds   {@code Retry-After} on 429 (capacity exists but is taken)
 * @param retryAfterUnavailableSeconds {@code Retry-After} on 503 (no available endpoint)
 * @param weightHigh                   share of freed slots the {@code high} class gets while every class waits
 * @param weightNormal                 the same for {@code normal}
 * @param weightLow                    the same for {@code low}
 */
public record AdmissionPolicy(
    int maxInFlightPerEndpoint,
    int maxWaiters,
    long maxWaitMillis,
    int retryAfterContendedSeconds,
    int retryAfterUnavailableSeconds,
    int weightHigh,
    int weightNormal,
    int weightLow) {

  static final Key<AdmissionPolicy, Integer> MAX_IN_FLIGHT_PER_ENDPOINT =
      Key.of("max_in_flight_per_endpoint", Type.INTEGER,
      AdmissionPolicy::maxInFlightPerEndpoint).byDefault(256).atLeast(1)
      .doc("a pool admits this many requests per available endpoint");
  static final Key<AdmissionPolicy, Integer> MAX_WAITERS =
      Key.of("max_waiters", Type.INTEGER, AdmissionPolicy::maxWaiters)
      .byDefault(64).atLeast(0).doc("requests that may wait for a slot; beyond it the newest waiter of the key with "
          + "the most waiters in the lowest waiting class gets 429");
  static final Key<AdmissionPolicy, Long> MAX_WAIT_MS = Key.of("max_wait_ms", Type.LONG, AdmissionPolicy::maxWaitMillis)
      .byDefault(2_000L).atLeast(0).doc("longest wait for a slot, then 429 (503 if no endpoint is available)");
  static final Key<AdmissionPolicy, Integer> RETRY_AFTER_CONTENDED_S = Key.of("retry_after_contended_s", Type.INTEGER,
      AdmissionPolicy::retryAfterContendedSeconds).byDefault(1).atLeast(1).doc("`Retry-After` on a saturated pool");
  static final Key<AdmissionPolicy, Integer> RETRY_AFTER_UNAVAILABLE_S =
      Key.of("retry_after_unavailable_s", Type.INTEGER,
      AdmissionPolicy::retryAfterUnavailableSeconds).byDefault(5).atLeast(1)
      .doc("`Retry-After` when no endpoint is healthy");
  static final Key<AdmissionPolicy, Integer> WEIGHT_HIGH = Key.of("high", Type.INTEGER, AdmissionPolicy::weightHigh)
      .byDefault(8).atLeast(1).doc("freed slots the `high` class gets, against the others' weights, while all wait");
  static final Key<AdmissionPolicy, Integer> WEIGHT_NORMAL = Key.of("normal", Type.INTEGER,
      AdmissionPolicy::weightNormal).byDefault(4).atLeast(1).doc("the same for `normal`");
  static final Key<AdmissionPolicy, Integer> WEIGHT_LOW = Key.of("low", Type.INTEGER, AdmissionPolicy::weightLow)
      .byDefault(1).atLeast(1).doc("the same for `low`: a waiting low request still advances");

  /** The {@code reliability.admission:} section. */
  public static final Section<AdmissionPolicy> SECTION = Section.of("admission",
      v -> new AdmissionPolicy(v.get(MAX_IN_FLIGHT_PER_ENDPOINT), v.get(MAX_WAITERS), v.get(MAX_WAIT_MS),
          v.get(RETRY_AFTER_CONTENDED_S), v.get(RETRY_AFTER_UNAVAILABLE_S), v.get(WEIGHT_HIGH), v.get(WEIGHT_NORMAL),
          v.get(WEIGHT_LOW)),
      MAX_IN_FLIGHT_PER_ENDPOINT, MAX_WAITERS, MAX_WAIT_MS, RETRY_AFTER_CONTENDED_S, RETRY_AFTER_UNAVAILABLE_S,
      Group.of("class_weights", WEIGHT_HIGH, WEIGHT_NORMAL, WEIGHT_LOW));

  public static final AdmissionPolicy DEFAULTS = SECTION.defaults();

  /** These bounds with the default class weights. */
  public AdmissionPolicy(int maxInFlightPerEndpoint, int maxWaiters, long maxWaitMillis,
      int retryAfterContendedSeconds, int retryAfterUnavailableSeconds) {
    this(maxInFlightPerEndpoint, maxWaiters, maxWaitMillis, retryAfterContendedSeconds, retryAfterUnavailableSeconds,
        WEIGHT_HIGH.fallback(), WEIGHT_NORMAL.fallback(), WEIGHT_LOW.fallback());
  }

  /** The weight of {@code priority} among the classes. */
  public int weight(Priority priority) {
    return switch (priority) {
      case HIGH -> weightHigh;
      case NORMAL -> weightNormal;
      case LOW -> weightLow;
    };
  }
}
