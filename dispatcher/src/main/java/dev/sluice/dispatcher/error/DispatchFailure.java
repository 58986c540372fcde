package dev.sluice.dispatcher.error;

/** A failure of one request, of a known {@link FailureKind}. Cheap: no stack trace. */
public final class DispatchFailure extends RuntimeException {
  private final FailureKind kind;
  private final String param;

  public DispatchFailure(FailureKind kind, String message, String param) {
    super(message, null, false, false);
    this.kind = kind;
    this.param = param;
  }

  public DispatchFailure(FailureKind kind, String message) {
    this(kind, message, null);
  }

  public FailureKind kind() {
    return kind;
  }

  /** OpenAI's {@code error.param}, or null. */
  public String param() {
    return param;
  }
}
