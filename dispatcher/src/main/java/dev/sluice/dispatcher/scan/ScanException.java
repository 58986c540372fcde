package dev.sluice.dispatcher.scan;

/**
 * The body is not a valid request. {@code param} names the offending field where known (OpenAI's
 * {@code error.param}), else null.
 */
public final class ScanException extends RuntimeException {
  private final String param;

  public ScanException(String message, String param) {
    super(message, null, false, false);
    this.param = param;
  }

  public String param() {
    return param;
  }
}
