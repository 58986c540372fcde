package dev.sluice.dispatcher.relay;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * Copies headers across the proxy, leaving out hop-by-hop ones (RFC 9110 7.6.1), those named in
 * {@code Connection}, and those the proxy sets itself.
 */
public final class ForwardedHeaders {
  private static final CharSequence KEEP_ALIVE = HttpHeaders.createOptimized("keep-alive");
  private static final CharSequence PROXY_CONNECTION = HttpHeaders.createOptimized("proxy-connection");
  private static final CharSequence PROXY_AUTHENTICATE = HttpHeaders.createOptimized("proxy-authenticate");
  private static final CharSequence PROXY_AUTHORIZATION = HttpHeaders.createOptimized("proxy-authorization");
  private static final CharSequence TE = HttpHeaders.createOptimized("te");
  private static final CharSequence TRAILER = HttpHeaders.createOptimized("trailer");
  private static final CharSequence HTTP2_SETTINGS = HttpHeaders.createOptimized("http2-settings");
  /** Anthropic's clients send their key here. */
  private static final CharSequence X_API_KEY = HttpHeaders.createOptimized("x-api-key");

  private static final CharSequence[] HOP_BY_HOP = {
      HttpHeaders.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER,
      HttpHeaders.TRANSFER_ENCODING, HttpHeaders.UPGRADE, HTTP2_SETTINGS, HttpHeaders.CONTENT_LENGTH};

  /**
   * Also dropped on the way up: the client's credentials are for Sluice, not the upstream; {@code Host} is the
   * upstream's; {@code Expect} was answered here; compression is refused so the body can be tapped.
   */
  private static final CharSequence[] REQUEST_ONLY = {
      HttpHeaders.HOST, HttpHeaders.AUTHORIZATION, X_API_KEY, HttpHeaders.EXPECT, HttpHeaders.ACCEPT_ENCODING};

  private ForwardedHeaders() {
  }

  /** Client request headers to the upstream request. */
  public static void copyRequest(MultiMap from, MultiMap to) {
    to.addAll(from);
    strip(from, to);
    for (CharSequence name : REQUEST_ONLY) {
      to.remove(name);
    }
  }

  /** Upstream response headers to the client response. */
  public static void copyResponse(MultiMap from, MultiMap to) {
    to.addAll(from);
    strip(from, to);
  }

  private static void strip(MultiMap from, MultiMap to) {
    String connection = from.get(HttpHeaders.CONNECTION);
    for (CharSequence name : HOP_BY_HOP) {
      to.remove(name);
    }
    if (connection != null && !connection.equalsIgnoreCase("keep-alive") && !connection.equalsIgnoreCase("close")) {
      for (String token : connection.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          to.remove(t);
        }
      }
    }
  }
}
