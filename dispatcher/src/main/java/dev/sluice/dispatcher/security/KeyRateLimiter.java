package dev.sluice.dispatcher.security;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-key requests/min and budget-tokens/min limits, checked before anything goes upstream. Both
 * buckets are taken together or not at all. Buckets exist only for configured keys (the map never
 * grows at run time).
 */
public final class KeyRateLimiter {

  private final Map<ApiKey, Gcra[]> buckets = new IdentityHashMap<>();

  public KeyRateLimiter(List<ApiKey> keys, long nowNanos) {
    for (ApiKey key : keys) {
      Gcra requests = key.requestsPerMinute() > 0 ? new Gcra(key.requestsPerMinute(), nowNanos) : null;
      Gcra tokens = key.tokensPerMinute() > 0 ? new Gcra(key.tokensPerMinute(), nowNanos) : null;
      if (requests != null || tokens != null) {
        buckets.put(key, new Gcra[] {requests, tokens});
      }
    }
  }

  /**
   * Charges one request of {@code budgetTokens} to {@code key}. Returns null when allowed, or the
   * rejection (429 {@code rate_limit_exceeded} with {@code Retry-After}) to send without calling
   * upstream.
   */
  public Refusal charge(ApiKey key, long budgetTokens, long nowNanos) {
    Gcra[] pair = buckets.get(key);
    if (pair == null) {
      return null;
    }
    Gcra requests = pair[0];
    Gcra tokens = pair[1];
    if (requests != null) {
      long wait = requests.tryTake(1, nowNanos);
      if (wait > 0) {
        return limited(FailureKind.RATE_LIMITED, requests.perMinute(), wait);
      }
    }
    if (tokens != null) {
      long wait = tokens.tryTake(Math.max(0, budgetTokens), nowNanos);
      if (wait > 0) {
        if (requests != null) {
          requests.refund(1);
        }
        return limited(FailureKind.TOKEN_RATE_LIMITED, tokens.perMinute(), wait);
      }
    }
    return null;
  }

  /** 429: OpenAI names the exhausted limit in {@code type} ("requests" or "tokens"). */
  private static Refusal limited(FailureKind kind, long limit, long waitNanos) {
    return new Refusal(kind, "Rate limit reached: " + limit + " " + kind.type() + " per minute.", null,
        seconds(waitNanos));
  }

  private static int seconds(long nanos) {
    return (int) Math.max(1, Math.min(60, (nanos + 999_999_999L) / 1_000_000_000L));
  }
}
