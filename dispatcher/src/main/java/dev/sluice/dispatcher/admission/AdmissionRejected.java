package dev.sluice.dispatcher.admission;

/**
 * Why a request was not admitted. Carries everything the error table needs (status, OpenAI type and
 * code, {@code Retry-After}); stackless because it is a normal outcome under load.
 */
public final class AdmissionRejected extends RuntimeException {

  /** The three ways admission says no. */
  public enum Reason {
    /** Capacity exists but every slot is taken and the wait line is full or the wait ran out. */
    CONTENDED(429, "server_error", "pool_saturated", "the pool is at capacity; retry later"),
    /** No endpoint of the pool is available (all down or ejected). */
    NO_HEALTHY_UPSTREAM(503, "server_error", "no_healthy_upstream", "no healthy upstream in the pool"),
    /** The client went away while waiting. Nothing is written. */
    CANCELLED(499, "invalid_request_error", "client_closed_request", "client closed the request");

    private final int status;
    private final String type;
    private final String code;
    private final String message;

    Reason(int status, String type, String code, String message) {
      this.status = status;
      this.type = type;
      this.code = code;
      this.message = message;
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

    public String message() {
      return message;
    }
  }

  private final Reason reason;
  private final String pool;
  private final int retryAfterSeconds;

  public AdmissionRejected(Reason reason, String pool, int retryAfterSeconds) {
    super(reason.message() + " (" + pool + ")", null, false, false);
    this.reason = reason;
    this.pool = pool;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public Reason reason() {
    return reason;
  }

  public String pool() {
    return pool;
  }

  public int status() {
    return reason.status();
  }

  /** Seconds for the {@code Retry-After} header; 0 when none applies. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
