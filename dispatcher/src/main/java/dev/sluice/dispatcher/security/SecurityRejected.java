package dev.sluice.dispatcher.security;

/**
 * A request refused by a security rule, with what the error table needs to answer it in OpenAI's
 * shape. Stackless: a normal outcome.
 */
public final class SecurityRejected extends RuntimeException {

  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final int retryAfterSeconds;

  private SecurityRejected(int status, String type, String code, String param, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 401: missing, malformed or unknown key. The message never echoes the key. */
  public static SecurityRejected invalidApiKey() {
    return new SecurityRejected(401, "invalid_request_error", "invalid_api_key", null,
        "Incorrect API key provided.", 0);
  }

  /** 429: OpenAI names the exhausted limit in {@code type} ("requests" or "tokens"). */
  static SecurityRejected rateLimited(String type, long limit, int retryAfterSeconds) {
    return new SecurityRejected(429, type, "rate_limit_exceeded", null,
        "Rate limit reached: " + limit + " " + type + " per minute.", retryAfterSeconds);
  }

  static SecurityRejected remoteImage() {
    return new SecurityRejected(400, "invalid_request_error", "image_url_not_allowed", "messages",
        "Only data: image URLs are accepted here; http(s) image URLs are refused.", 0);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
