package dev.sluice.dispatcher.security;

import dev.sluice.dispatcher.error.FailureKind;

/**
 * A request refused by a security rule: the error table's entry, the offending parameter and
 * {@code Retry-After}. Stackless: a normal outcome.
 */
public final class SecurityRejected extends RuntimeException {

  private final FailureKind kind;
  private final String param;
  private final int retryAfterSeconds;

  private SecurityRejected(FailureKind kind, String param, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.kind = kind;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 401: missing, malformed or unknown key. The message never echoes the key. */
  public static SecurityRejected invalidApiKey() {
    return new SecurityRejected(FailureKind.INVALID_API_KEY, null, "Incorrect API key provided.", 0);
  }

  /** 429: OpenAI names the exhausted limit in {@code type} ("requests" or "tokens"). */
  static SecurityRejected rateLimited(boolean tokens, long limit, int retryAfterSeconds) {
    FailureKind kind = tokens ? FailureKind.TOKEN_RATE_LIMITED : FailureKind.RATE_LIMITED;
    return new SecurityRejected(kind, null,
        "Rate limit reached: " + limit + " " + kind.type() + " per minute.", retryAfterSeconds);
  }

  static SecurityRejected remoteImage() {
    return new SecurityRejected(FailureKind.IMAGE_URL_NOT_ALLOWED, "messages",
        "Only data: image URLs are accepted here; http(s) image URLs are refused.", 0);
  }

  public FailureKind kind() {
    return kind;
  }

  public int status() {
    return kind.status();
  }

  public String type() {
    return kind.type();
  }

  public String code() {
    return kind.code();
  }

  public String param() {
    return param;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
