package dev.sluice.dispatcher.error;

/**
 * A request refused by one of Sluice's own rules (a bad body, a key limit, a full pool): the failure table's row,
 * the message for the client, the offending parameter and {@code Retry-After}. Stackless: a normal outcome
 * under load, carried by a failed future or returned by a check.
 */
public final class Refusal extends RuntimeException {
  private final FailureKind kind;
  private final String param;
  private final int retryAfterSeconds;

  public Refusal(FailureKind kind, String message, String param, int retryAfterSeconds) {
    super(message, null, false, false);
    this.kind = kind;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public Refusal(FailureKind kind, String message, String param) {
    this(kind, message, param, 0);
  }

  public Refusal(FailureKind kind, String message) {
    this(kind, message, null, 0);
  }

  public FailureKind kind() {
    return kind;
  }

  /** OpenAI's {@code error.param}, or null. */
  public String param() {
    return param;
  }

  /** Seconds for the {@code Retry-After} header; 0 for the kind's default. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public int status() {
    return kind.status();
  }
}
