package dev.sluice.dispatcher.admission;

/**
 * Bounds of one pool's admission. Nothing here is unbounded: in-flight scales with the endpoints that
 * are available, the wait line has a fixed length and every waiter a deadline.
 *
 * @param maxInFlightPerEndpoint requests Sluice keeps in flight per available endpoint (vLLM batches
 *                               them; beyond its {@code max_num_seqs} they would only queue inside vLLM)
 * @param maxWaiters             requests that may wait for a slot; more are refused at once
 * @param maxWaitMillis          longest a request waits for a slot before it is refused
 * @param retryAfterContendedSeconds   {@code Retry-After} on 429 (capacity exists but is taken)
 * @param retryAfterUnavailableSeconds {@code Retry-After} on 503 (no available endpoint)
 */
public record AdmissionPolicy(
    int maxInFlightPerEndpoint,
    int maxWaiters,
    long maxWaitMillis,
    int retryAfterContendedSeconds,
    int retryAfterUnavailableSeconds) {

  public static final int DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT = 256;
  public static final int DEFAULT_MAX_WAITERS = 64;
  public static final long DEFAULT_MAX_WAIT_MILLIS = 2_000;
  public static final int DEFAULT_RETRY_AFTER_CONTENDED_SECONDS = 1;
  public static final int DEFAULT_RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

  public static final AdmissionPolicy DEFAULTS = new AdmissionPolicy(
      DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT, DEFAULT_MAX_WAITERS, DEFAULT_MAX_WAIT_MILLIS,
      DEFAULT_RETRY_AFTER_CONTENDED_SECONDS, DEFAULT_RETRY_AFTER_UNAVAILABLE_SECONDS);

  public AdmissionPolicy {
    if (maxInFlightPerEndpoint < 1) {
      throw new IllegalArgumentException("admission.max_in_flight_per_endpoint must be >= 1, got " + maxInFlightPerEndpoint);
    }
    if (maxWaiters < 0) {
      throw new IllegalArgumentException("admission.max_waiters must be >= 0, got " + maxWaiters);
    }
    if (maxWaitMillis < 0) {
      throw new IllegalArgumentException("admission.max_wait_ms must be >= 0, got " + maxWaitMillis);
    }
    if (retryAfterContendedSeconds < 1 || retryAfterUnavailableSeconds < 1) {
      throw new IllegalArgumentException("admission.retry_after_* must be >= 1 s");
    }
  }
}
