package dev.sluice.dispatcher.relay;

/**
 * Picks the tap for a successful upstream response: the JSON tap for a plain response, and for an event
 * stream either the tap that removes the usage-only event Sluice asked for on the client's behalf, or the
 * one that passes everything through because the client asked for usage itself.
 */
public final class ResponseTaps {

  /** The node's factory: every 2xx response is read for {@code usage}. */
  public static final ResponseTapFactory READING_USAGE =
      (facts, budget, stripUsage) -> forResponse(facts.stream(), stripUsage);

  private ResponseTaps() {
  }

  /**
   * @param stream               the request asked for a stream (an SSE response)
   * @param injectedIncludeUsage Sluice rewrote the body to ask for {@code include_usage} (the client did not)
   */
  public static ResponseTap forResponse(boolean stream, boolean injectedIncludeUsage) {
    if (!stream) {
      return new JsonUsageTap();
    }
    return injectedIncludeUsage ? SseUsageTap.stripping() : SseUsageTap.passThrough();
  }
}
