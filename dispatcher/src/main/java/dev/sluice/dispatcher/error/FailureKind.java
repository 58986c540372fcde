package dev.sluice.dispatcher.error;

/**
 * Every way a request, or one upstream try of it, can end other than with a clean answer: one row each, with
 * every column a caller needs. Nothing else in Sluice picks a status, an error code, a retry or a log outcome.
 *
 * <p>Columns: the status the client sees (0 = the upstream's own status, for an answer that is forwarded as it
 * came), OpenAI's {@code error.type} and {@code error.code}, whose fault it is (the metric category), what the
 * relay may do about it before the first byte reached the client, whether it counts against the endpoint's
 * health (outlier ejection), and the outcome written to the access log.
 *
 * <p>Rows marked {@link Answer#FORWARDED} are upstream answers the relay may retry elsewhere; when it does not,
 * the client gets the upstream's response unchanged, and the request ends as {@link Outcome#OK}.
 */
public enum FailureKind {
  // refused before anything went upstream: the client's request
  INVALID_REQUEST(400, Type.INVALID, "invalid_request", Fault.CLIENT),
  INVALID_JSON(400, Type.INVALID, "invalid_json", Fault.CLIENT),
  /** Missing, malformed or unknown API key. */
  INVALID_API_KEY(401, Type.INVALID, "invalid_api_key", Fault.CLIENT),
  /** {@code x-sluice-priority} asks for a class above the highest the key may use. */
  PRIORITY_NOT_ALLOWED(403, Type.INVALID, "priority_not_allowed", Fault.CLIENT),
  NOT_FOUND(404, Type.INVALID, "not_found", Fault.CLIENT),
  /** The request names a model the node does not serve (its {@code models:}): no upstream is asked. */
  MODEL_NOT_FOUND(404, Type.INVALID, "model_not_found", Fault.CLIENT),
  METHOD_NOT_ALLOWED(405, Type.INVALID, "method_not_allowed", Fault.CLIENT),
  /** The body did not arrive within the body deadline (slowloris). */
  REQUEST_TIMEOUT(408, Type.INVALID, "request_timeout", Fault.CLIENT),
  BODY_TOO_LARGE(413, Type.INVALID, "request_too_large", Fault.CLIENT),
  UNSUPPORTED_MEDIA_TYPE(415, Type.INVALID, "unsupported_media_type", Fault.CLIENT),
  /** An image URL vLLM would fetch itself, refused by the image policy. */
  IMAGE_URL_NOT_ALLOWED(400, Type.INVALID, "image_url_not_allowed", Fault.CLIENT),
  /** The key's requests/min limit is reached (OpenAI names the limit in {@code type}). */
  RATE_LIMITED(429, Type.REQUESTS, "rate_limit_exceeded", Fault.THROTTLED),
  /** The key's budget tokens/min limit is reached. */
  TOKEN_RATE_LIMITED(429, Type.TOKENS, "rate_limit_exceeded", Fault.THROTTLED),
  /** Every in-flight slot of the pool is taken and the bounded wait ran out or is full. */
  POOL_SATURATED(429, Type.SERVER, "pool_saturated", Fault.THROTTLED),
  /** No endpoint of the pool is available (all down or ejected): refused at admission without a try. */
  NO_HEALTHY_UPSTREAM(503, Type.SERVER, "no_healthy_upstream", Fault.ORIGIN),
  /**
   * The node is at one of its memory bounds: its connection cap (the request came on a connection beyond it),
   * or its budget of buffered body bytes (refused before the body is read).
   */
  OVERLOADED(503, Type.SERVER, "overloaded", Fault.THROTTLED),

  // an upstream try failed before the first byte went to the client; Sluice answers when no try is left
  /** No endpoint of the pool could be connected to. */
  UPSTREAM_UNREACHABLE(503, Type.SERVER, "no_healthy_upstream", Fault.ORIGIN, Retry.ANOTHER_ENDPOINT, true,
      Answer.SLUICE, Outcome.ERROR, "connect"),
  /** The connection was reset or the answer was not HTTP before the headers were complete. */
  UPSTREAM_RESET(502, Type.SERVER, "upstream_reset", Fault.ORIGIN, Retry.ANOTHER_ENDPOINT, true,
      Answer.SLUICE, Outcome.ERROR, "reset"),
  /** No response headers within the first-byte timeout, or silence before the first byte reached the client. */
  UPSTREAM_TIMEOUT(504, Type.SERVER, "upstream_timeout", Fault.ORIGIN, Retry.OTHER_ENDPOINT_ONLY, true,
      Answer.SLUICE, Outcome.ERROR, "first_byte_timeout"),
  /** The endpoint's connection wait queue is full: shed load fast instead of queueing. */
  POOL_BUSY(503, Type.SERVER, "pool_busy", Fault.THROTTLED, Retry.NO, false, Answer.SLUICE, Outcome.ERROR, "pool_busy"),

  // the upstream answered; retried where the row says so, else forwarded as it came
  UPSTREAM_BAD_GATEWAY(0, Type.SERVER, "upstream_bad_gateway", Fault.ORIGIN, Retry.ANOTHER_ENDPOINT, true,
      Answer.FORWARDED, Outcome.OK, "status_502"),
  /** vLLM answers 503 when its queue is full: busy, not broken, so it never counts against the endpoint. */
  UPSTREAM_UNAVAILABLE(0, Type.SERVER, "upstream_unavailable", Fault.ORIGIN, Retry.ANOTHER_ENDPOINT, false,
      Answer.FORWARDED, Outcome.OK, "status_503"),
  UPSTREAM_GATEWAY_TIMEOUT(0, Type.SERVER, "upstream_gateway_timeout", Fault.ORIGIN, Retry.ANOTHER_ENDPOINT, true,
      Answer.FORWARDED, Outcome.OK, "status_504"),
  /** Any other 5xx that is not a validation error in disguise. */
  UPSTREAM_SERVER_ERROR(0, Type.SERVER, "upstream_server_error", Fault.ORIGIN, Retry.NO, true,
      Answer.FORWARDED, Outcome.OK, "status_5xx"),
  /**
   * A 200 event stream that carries an error event ({@code data: {"error": ...}}, then {@code [DONE]}): vLLM's
   * engine failed the request, which vLLM itself calls retryable. As the stream's first event (a role chunk may
   * come before it) it is retried; later the stream reaches the client as it came, and only the record says so.
   */
  UPSTREAM_STREAM_ERROR(0, Type.SERVER, "upstream_stream_error", Fault.ORIGIN, Retry.ANOTHER_ENDPOINT, true,
      Answer.FORWARDED, Outcome.OK, "stream_error"),
  /**
   * The prompt plus output did not fit the pool's context: the estimate was too small. Retried once on the
   * next larger pool; from the largest the upstream's error goes to the client as a 400, whatever status
   * vLLM chose (it reports some validation errors as 500).
   */
  CONTEXT_LENGTH_EXCEEDED(400, Type.INVALID, "context_length_exceeded", Fault.CLIENT, Retry.LARGER_POOL, false,
      Answer.FORWARDED, Outcome.OK, "context_length"),

  // after the first byte reached the client only an SSE event can say it; the status is never written
  UPSTREAM_ABORTED(502, Type.SERVER, "upstream_error", Fault.ORIGIN, Retry.NO, true, Answer.SLUICE,
      Outcome.ABORTED, "aborted"),

  // the client left: nothing is written, only counted
  CLIENT_CLOSED(499, Type.INVALID, "client_closed_request", Fault.CANCELLED, Retry.NO, false, Answer.NONE,
      Outcome.CLIENT_CLOSED, "client_closed"),

  /** A fault in Sluice itself (an unexpected exception on the request path), never blamed on an upstream. */
  INTERNAL(500, Type.SERVER, "internal_error", Fault.LOCAL, Retry.NO, false, Answer.SLUICE, Outcome.ERROR,
      "internal");

  /** Whose fault: the {@code category} label of {@code sluice_failures_total}. */
  public enum Fault { CLIENT, ORIGIN, THROTTLED, CANCELLED, LOCAL }

  /** What the relay may do about a failed try before the commit point. */
  public enum Retry {
    /** Nothing: the failure is the answer. */
    NO,
    /** Once more in the same pool, on another endpoint when there is one. */
    ANOTHER_ENDPOINT,
    /** Once more in the same pool, only when it has another endpoint (a silent endpoint is not asked again). */
    OTHER_ENDPOINT_ONLY,
    /** Once on the next larger pool. */
    LARGER_POOL
  }

  /** Who writes the client's answer when the failure stands. */
  public enum Answer {
    /** Sluice writes one error in OpenAI's shape (before the commit point) or one SSE error event (after it). */
    SLUICE,
    /** The upstream's own response goes to the client unchanged. */
    FORWARDED,
    /** Nothing is written: there is nobody to write to. */
    NONE
  }

  /** How a request ended, as the access log's {@code outcome} says it. */
  public enum Outcome {
    /** An upstream answered and its answer reached the client whole (whatever its status). */
    OK("ok"),
    /** Refused before any upstream was asked. */
    REFUSED("refused"),
    /** Upstream tries failed and Sluice answered with an error. */
    ERROR("error"),
    /** Cut after the first byte reached the client. */
    ABORTED("aborted"),
    /** The client went away first. */
    CLIENT_CLOSED("client_closed");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** OpenAI's {@code error.type} values. */
  private static final class Type {
    static final String INVALID = "invalid_request_error";
    static final String SERVER = "server_error";
    static final String REQUESTS = "requests";
    static final String TOKENS = "tokens";
  }

  private final int status;
  private final String type;
  private final String code;
  private final Fault fault;
  private final Retry retry;
  private final boolean endpointFault;
  private final Answer answer;
  private final Outcome outcome;
  private final String reason;

  /** A refusal before anything went upstream. */
  FailureKind(int status, String type, String code, Fault fault) {
    this(status, type, code, fault, Retry.NO, false, Answer.SLUICE, Outcome.REFUSED, code);
  }

  FailureKind(int status, String type, String code, Fault fault, Retry retry, boolean endpointFault, Answer answer,
      Outcome outcome, String reason) {
    this.status = status;
    this.type = type;
    this.code = code;
    this.fault = fault;
    this.retry = retry;
    this.endpointFault = endpointFault;
    this.answer = answer;
    this.outcome = outcome;
    this.reason = reason;
  }

  /** The status the client sees; 0 for a forwarded answer, which keeps the upstream's. */
  public int status() {
    return status;
  }

  /** The status the client sees when the upstream answered {@code upstreamStatus}. */
  public int status(int upstreamStatus) {
    return status != 0 ? status : upstreamStatus;
  }

  /** OpenAI's {@code error.type}. */
  public String type() {
    return type;
  }

  /** OpenAI's {@code error.code}, and the {@code code} label of {@code sluice_failures_total}. */
  public String code() {
    return code;
  }

  public Fault fault() {
    return fault;
  }

  public Retry retry() {
    return retry;
  }

  /** Whether this failure says something about the endpoint (feeds outlier ejection), not about the request. */
  public boolean endpointFault() {
    return endpointFault;
  }

  public Answer answer() {
    return answer;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The {@code reason} label of {@code sluice_upstream_retries_total} when a try is repeated for it. */
  public String retryReason() {
    return reason;
  }

  /** Whether the client should retry later ({@code Retry-After} is sent). */
  public boolean transientOverload() {
    return this == UPSTREAM_UNREACHABLE || this == NO_HEALTHY_UPSTREAM || this == POOL_BUSY || this == POOL_SATURATED
        || this == RATE_LIMITED || this == OVERLOADED;
  }

  /**
   * The row for an upstream status before its body was read, or null for a status that is not a failure here
   * (2xx, 3xx, 4xx including 429) or needs its body to decide (500, 400: see the relay).
   */
  public static FailureKind ofUpstreamStatus(int status) {
    return switch (status) {
      case 502 -> UPSTREAM_BAD_GATEWAY;
      case 503 -> UPSTREAM_UNAVAILABLE;
      case 504 -> UPSTREAM_GATEWAY_TIMEOUT;
      default -> status > 500 && status <= 599 ? UPSTREAM_SERVER_ERROR : null;
    };
  }
}
