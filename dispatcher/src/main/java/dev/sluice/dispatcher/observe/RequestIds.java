package dev.sluice.dispatcher.observe;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids for requests that arrive without {@code x-request-id}: a random per-process prefix and a
 * counter, unique across nodes without coordination and cheap to make on an event loop.
 */
public final class RequestIds {
  public static final String HEADER = "x-request-id";
  /** Longest client-supplied id that is kept; a longer one is replaced, so logs stay bounded. */
  public static final int MAX_LENGTH = 128;

  private static final String PREFIX = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  private static final AtomicLong COUNTER = new AtomicLong();

  private RequestIds() {
  }

  public static String next() {
    return PREFIX + "-" + Long.toHexString(COUNTER.incrementAndGet());
  }

  /** The client's id when it is usable, else a new one. */
  public static String accept(String fromClient) {
    if (fromClient == null || fromClient.isEmpty() || fromClient.length() > MAX_LENGTH) {
      return next();
    }
    for (int i = 0; i < fromClient.length(); i++) {
      char c = fromClient.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return next();
      }
    }
    return fromClient;
  }
}
