package dev.sluice.dispatcher.health;

/**
 * A failure that says something about the endpoint, not about the request. Only these feed outlier
 * ejection: a 4xx (the client's fault, including vLLM's context-length 400 and its validation errors
 * reclassified from 500) never does, and neither do 429 and 503, which vLLM sends when its queue is
 * full: the endpoint is busy, not broken, and ejecting busy replicas under a burst would only shrink
 * capacity when it is needed most. A replica that answers 503 because it is broken fails its active
 * {@code /health} probe instead.
 */
public enum UpstreamFault {
  /** TCP connect refused or timed out. */
  CONNECT_FAILURE,
  /** The connection was reset or closed before the response completed. */
  RESET,
  /** No response headers (or no first event) within the per-try deadline. */
  TIMEOUT,
  /** 502 or 504 from the endpoint. */
  GATEWAY_ERROR,
  /** Any other 5xx that is not a reclassified validation error. */
  SERVER_ERROR,
  /** Not HTTP, or not the SSE/JSON the endpoint promised. */
  GARBAGE;

  /**
   * The fault an upstream status stands for, or null when the status says nothing bad about the
   * endpoint (2xx, 3xx, 4xx including 429, and 503). The caller passes a validation-500 as its reclassified 400.
   */
  public static UpstreamFault ofStatus(int status) {
    if (status == 503) {
      return null;
    }
    if (status == 502 || status == 504) {
      return GATEWAY_ERROR;
    }
    if (status >= 500 && status <= 599) {
      return SERVER_ERROR;
    }
    return null;
  }
}
