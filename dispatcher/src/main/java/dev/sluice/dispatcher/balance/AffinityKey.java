package dev.sluice.dispatcher.balance;

import java.util.function.LongSupplier;

/**
 * Which conversation a request belongs to, as a 64-bit key, so that its turns go to the endpoint that holds its
 * KV prefix. The first of these the request has, in this order:
 * <ol>
 *   <li>{@code prompt_cache_key} (OpenAI's field for exactly this);</li>
 *   <li>an {@code x-session-id} header;</li>
 *   <li>the OpenAI {@code user} field;</li>
 *   <li>the hash of the conversation's opening: the prompt text up to the end of the first user message (the
 *       system prompt and that message, which every later turn repeats) as the body carries it, at most
 *       {@code routing.affinity_prefix_bytes} of it.</li>
 * </ol>
 * Each is a {@link KeyHash} (the scanner hashes the body's fields, the relay the header and the opening's raw
 * bytes); {@link #NONE} where absent.
 */
public final class AffinityKey {

  /** No key: the request is placed by load alone. */
  public static final long NONE = 0;

  /** The header a client may name its session by. */
  public static final String SESSION_HEADER = "x-session-id";

  private AffinityKey() {
  }

  /** The request's key: the first present, in the order above; the opening is hashed only when it is the one. */
  public static long choose(long promptCacheKey, long sessionHeader, long user, LongSupplier opening) {
    if (promptCacheKey != NONE) {
      return promptCacheKey;
    }
    if (sessionHeader != NONE) {
      return sessionHeader;
    }
    return user != NONE ? user : opening.getAsLong();
  }
}
