package dev.sluice.dispatcher.relay;

/** Picks the tap for a successful upstream response. */
public final class ResponseTaps {

  private ResponseTaps() {
  }

  /**
   * @param stream              the request asked for a stream (an SSE response)
   * @param injectedIncludeUsage Sluice rewrote the body to ask for {@code include_usage} (the client did not)
   */
  public static ResponseTap forResponse(boolean stream, boolean injectedIncludeUsage) {
    if (!stream) {
      return new JsonUsageTap();
    }
    return injectedIncludeUsage ? SseUsageTap.stripping() : SseUsageTap.passThrough();
  }
}
