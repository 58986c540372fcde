package dev.sluice.dispatcher.relay;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Arrays;

/**
 * Copies headers across the proxy, leaving out hop-by-hop ones (RFC 9110 7.6.1), those named in
 * {@code Connection}, and those the proxy sets itself.
 *
 * <p>One pass over the source, each name checked against the few of its length that stay behind: copying all and
 * removing the dropped names afterwards cost a hash and a bucket scan per dropped name on every request (sixteen on
 * the way up), most of them for names the request never had.
 */
public final class ForwardedHeaders {
  /** Never forwarded in either direction; Content-Length is the forwarding side's to set for the body it sends. */
  private static final String[] HOP_BY_HOP = {
      "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
      "transfer-encoding", "upgrade", "http2-settings", "content-length"};

  /**
   * Also dropped on the way up: the client's credentials are for Sluice, not the upstream ({@code x-api-key} is where
   * Anthropic's clients send theirs); {@code Host} is the upstream's; {@code Expect} was answered here; compression is
   * refused so the body can be tapped.
   */
  private static final String[] REQUEST_ONLY = {"host", "authorization", "x-api-key", "expect", "accept-encoding"};

  /** Longer than any dropped name. */
  private static final int LONGEST = 32;
  /** The dropped names by length: a name of any other length is forwarded without a comparison. */
  private static final AsciiString[][] DROPPED_DOWN = byLength(HOP_BY_HOP);
  private static final AsciiString[][] DROPPED_UP = byLength(HOP_BY_HOP, REQUEST_ONLY);

  private ForwardedHeaders() {
  }

  /** Client request headers to the upstream request. */
  public static void copyRequest(MultiMap from, MultiMap to) {
    copy(from, to, DROPPED_UP);
  }

  /** Upstream response headers to the client response. */
  public static void copyResponse(MultiMap from, MultiMap to) {
    copy(from, to, DROPPED_DOWN);
  }

  private static void copy(MultiMap from, MultiMap to, AsciiString[][] dropped) {
    from.forEach((name, value) -> {
      if (!isIn(name, dropped)) {
        to.add(name, value);
      }
    });
    String connection = from.get(HttpHeaders.CONNECTION);
    if (connection != null && !connection.equalsIgnoreCase("keep-alive") && !connection.equalsIgnoreCase("close")) {
      // extension hop-by-hop names the sender listed in Connection (rare: only then a second look)
      for (String token : connection.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          to.remove(t);
        }
      }
    }
  }

  private static boolean isIn(String name, AsciiString[][] dropped) {
    int length = name.length();
    if (length >= LONGEST) {
      return false;
    }
    AsciiString[] candidates = dropped[length];
    if (candidates == null) {
      return false;
    }
    for (AsciiString candidate : candidates) {
      if (candidate.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private static AsciiString[][] byLength(String[]... lists) {
    AsciiString[][] table = new AsciiString[LONGEST][];
    for (String[] names : lists) {
      for (String name : names) {
        AsciiString[] row = table[name.length()];
        AsciiString[] grown = row == null ? new AsciiString[1] : Arrays.copyOf(row, row.length + 1);
        grown[grown.length - 1] = AsciiString.cached(name);
        table[name.length()] = grown;
      }
    }
    return table;
  }
}
