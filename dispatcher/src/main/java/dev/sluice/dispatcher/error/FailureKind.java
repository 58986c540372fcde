package dev.sluice.dispatcher.error;

/**
 * Every way a request can fail inside Sluice, and what each means to the client and to the metrics.
 * The only table of its kind: {@link ErrorResponses} applies it, nothing else picks a status.
 */
public enum FailureKind {
  // the client's fault
  INVALID_REQUEST(400, "invalid_request_error", "invalid_request", Category.CLIENT),
  INVALID_JSON(400, "invalid_request_error", "invalid_json", Category.CLIENT),
  NOT_FOUND(404, "invalid_request_error", "not_found", Category.CLIENT),
  METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed", Category.CLIENT),
  BODY_TOO_LARGE(413, "invalid_request_error", "request_too_large", Category.CLIENT),
  UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error", "unsupported_media_type", Category.CLIENT),

  /** Missing, malformed or unknown API key. */
  INVALID_API_KEY(401, "invalid_request_error", "invalid_api_key", Category.CLIENT),
  /** An image URL vLLM would fetch itself, refused by the image policy. */
  IMAGE_URL_NOT_ALLOWED(400, "invalid_request_error", "image_url_not_allowed", Category.CLIENT),
  /** The key's requests/min or tokens/min limit is reached (OpenAI names the limit in {@code type}). */
  RATE_LIMITED(429, "requests", "rate_limit_exceeded", Category.THROTTLED),
  /** The key's budget tokens/min limit is reached. */
  TOKEN_RATE_LIMITED(429, "tokens", "rate_limit_exceeded", Category.THROTTLED),
  /** Every in-flight slot of the pool is taken and the bounded wait ran out or is full. */
  POOL_SATURATED(429, "server_error", "pool_saturated", Category.THROTTLED),

  // the upstream's fault, found before the first byte went to the client
  UPSTREAM_UNREACHABLE(503, "server_error", "no_healthy_upstream", Category.ORIGIN),
  UPSTREAM_RESET(502, "server_error", "upstream_reset", Category.ORIGIN),
  UPSTREAM_TIMEOUT(504, "server_error", "upstream_timeout", Category.ORIGIN),
  /** The endpoint's connection wait queue is full: shed load fast instead of queueing. */
  POOL_BUSY(503, "server_error", "pool_busy", Category.THROTTLED),

  // after the commit point only an SSE event can say it; the status is never written
  UPSTREAM_ABORTED(502, "server_error", "upstream_error", Category.ORIGIN),

  // the client left: nothing is written, only counted
  CLIENT_CLOSED(499, "invalid_request_error", "client_closed_request", Category.CANCELLED),

  INTERNAL(500, "server_error", "internal_error", Category.LOCAL);

  /** Coarse label for metrics and logs: whose fault. */
  public enum Category { CLIENT, ORIGIN, THROTTLED, CANCELLED, LOCAL }

  private final int status;
  private final String type;
  private final String code;
  private final Category category;

  FailureKind(int status, String type, String code, Category category) {
    this.status = status;
    this.type = type;
    this.code = code;
    this.category = category;
  }

  public int status() {
    return status;
  }

  /** OpenAI's {@code error.type}. */
  public String type() {
    return type;
  }

  /** OpenAI's {@code error.code}. */
  public String code() {
    return code;
  }

  public Category category() {
    return category;
  }

  /** Whether the client should retry later ({@code Retry-After} is sent). */
  public boolean transientOverload() {
    return this == UPSTREAM_UNREACHABLE || this == POOL_BUSY || this == POOL_SATURATED || this == RATE_LIMITED;
  }
}
