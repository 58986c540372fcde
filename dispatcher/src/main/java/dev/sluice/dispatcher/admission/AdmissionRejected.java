package dev.sluice.dispatcher.admission;

import dev.sluice.dispatcher.error.FailureKind;

/**
 * Why a request was not admitted: the error table's entry plus {@code Retry-After}; stackless because it
 * is a normal outcome under load.
 */
public final class AdmissionRejected extends RuntimeException {

  /** The three ways admission says no, each answered as its {@link FailureKind}. */
  public enum Reason {
    /** Capacity exists but every slot is taken and the wait line is full or the wait ran out. */
    CONTENDED(FailureKind.POOL_SATURATED, "the pool is at capacity; retry later"),
    /** No endpoint of the pool is available (all down or ejected). */
    NO_HEALTHY_UPSTREAM(FailureKind.UPSTREAM_UNREACHABLE, "no healthy upstream in the pool"),
    /** The client went away while waiting. Nothing is written. */
    CANCELLED(FailureKind.CLIENT_CLOSED, "client closed the request");

    private final FailureKind kind;
    private final String message;

    Reason(FailureKind kind, String message) {
      this.kind = kind;
      this.message = message;
    }

    public FailureKind kind() {
      return kind;
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
    return reason.kind().status();
  }

  /** Seconds for the {@code Retry-After} header; 0 when none applies. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
