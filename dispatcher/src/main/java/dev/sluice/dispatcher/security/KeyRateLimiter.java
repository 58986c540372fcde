package dev.sluice.dispatcher.security;

import dev.sluice.cluster.QuotaLedger;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-key requests/min and tokens/min limits, checked before anything goes upstream. Both buckets are taken
 * together or not at all. Tokens are charged on the routing budget when the request is admitted and settled
 * when it ends: to the prompt plus completion tokens the upstream reported, to nothing for a request that
 * never reached an upstream, and left at the budget when no usage came back. Buckets exist only for configured
 * keys (the map never grows at run time).
 *
 * <p>A node alone keeps each limit in a local bucket; in a cluster the limits are the cluster's, leased from its
 * {@link QuotaLedger} ({@link LeasedAllowance}), so a key has its quota across all nodes together.
 */
public final class KeyRateLimiter {

  /**
   * What {@link #charge} returns while the units a request needs are being leased from the cluster: ask again
   * once {@link #leased} completes. Never sent to a client.
   */
  public static final Refusal LEASING = new Refusal(FailureKind.RATE_LIMITED, "units are being leased");

  private final Map<ApiKey, Allowance[]> buckets = new IdentityHashMap<>();

  /** Per-node limits. */
  public KeyRateLimiter(List<ApiKey> keys, long nowNanos) {
    this(keys, nowNanos, null);
  }

  /** Limits shared by the cluster through {@code ledger}; per node when it is null. */
  public KeyRateLimiter(List<ApiKey> keys, long nowNanos, QuotaLedger ledger) {
    for (ApiKey key : keys) {
      Allowance requests = key.requestsPerMinute() > 0
          ? allowance(key.name() + ":requests", key.requestsPerMinute(), nowNanos, ledger) : null;
      Allowance tokens = key.tokensPerMinute() > 0
          ? allowance(key.name() + ":tokens", key.tokensPerMinute(), nowNanos, ledger) : null;
      if (requests != null || tokens != null) {
        buckets.put(key, new Allowance[] {requests, tokens});
      }
    }
  }

  private static Allowance allowance(String id, long perMinute, long nowNanos, QuotaLedger ledger) {
    return ledger == null ? new Gcra(perMinute, nowNanos) : new LeasedAllowance(id, perMinute, ledger);
  }

  /**
   * Charges one request of {@code budgetTokens} to {@code key}. Returns null when allowed, or the
   * rejection (429 {@code rate_limit_exceeded} with {@code Retry-After}) to send without calling
   * upstream.
   */
  public Refusal charge(ApiKey key, long budgetTokens, long nowNanos) {
    Allowance[] pair = buckets.get(key);
    if (pair == null) {
      return null;
    }
    Allowance requests = pair[0];
    Allowance tokens = pair[1];
    if (requests != null) {
      long wait = requests.tryTake(1, nowNanos);
      if (wait == Allowance.LEASING) {
        return LEASING;
      }
      if (wait > 0) {
        return limited(FailureKind.RATE_LIMITED, requests.perMinute(), wait);
      }
    }
    if (tokens != null) {
      long wait = tokens.tryTake(Math.max(0, budgetTokens), nowNanos);
      if (wait != 0 && requests != null) {
        requests.refund(1);
      }
      if (wait == Allowance.LEASING) {
        return LEASING;
      }
      if (wait > 0) {
        return limited(FailureKind.TOKEN_RATE_LIMITED, tokens.perMinute(), wait);
      }
    }
    return null;
  }

  /** Completes when the leases under way for {@code key}'s limits are back (at once when none is). */
  public Future<Void> leased(ApiKey key) {
    Allowance[] pair = buckets.get(key);
    if (pair == null) {
      return Future.succeededFuture();
    }
    Future<Void> requests = pair[0] == null ? Future.succeededFuture() : pair[0].leased();
    Future<Void> tokens = pair[1] == null ? Future.succeededFuture() : pair[1].leased();
    return Future.join(requests, tokens).mapEmpty();
  }

  /** The refusal for a request whose units did not come in time: its key is over the cluster's limit. */
  public Refusal overLimit(ApiKey key) {
    Allowance[] pair = buckets.get(key);
    Allowance tokens = pair == null ? null : pair[1];
    Allowance requests = pair == null ? null : pair[0];
    return requests != null
        ? limited(FailureKind.RATE_LIMITED, requests.perMinute(), 1_000_000_000L)
        : limited(FailureKind.TOKEN_RATE_LIMITED, tokens == null ? 0 : tokens.perMinute(), 1_000_000_000L);
  }

  /** Whether {@code key} has a tokens/min limit, and so its requests are settled on their actual tokens. */
  public boolean chargesTokens(ApiKey key) {
    Allowance[] pair = buckets.get(key);
    return pair != null && pair[1] != null;
  }

  /**
   * Settles a request of {@code key} that was charged {@code charged} tokens and used {@code actual}: the
   * difference is taken from its bucket (which may go into debt) or given back.
   */
  public void settle(ApiKey key, long charged, long actual) {
    Allowance[] pair = buckets.get(key);
    if (pair == null || pair[1] == null || actual == charged) {
      return;
    }
    if (actual > charged) {
      pair[1].charge(actual - charged);
    } else {
      pair[1].refund(charged - actual);
    }
  }

  /** One key's limits and their use over the last minute, as {@code /admin/keys} shows them. */
  public record KeyUse(ApiKey key, String scope, long requestsUsed, long tokensUsed) {
  }

  /** Every configured key's use of its limits (-1 where it has none); reads the cluster's buckets when shared. */
  public Future<List<KeyUse>> use(List<ApiKey> keys, long nowNanos) {
    List<Future<KeyUse>> all = new ArrayList<>();
    for (ApiKey key : keys) {
      Allowance[] pair = buckets.get(key);
      if (pair == null) {
        all.add(Future.succeededFuture(new KeyUse(key, "none", -1, -1)));
        continue;
      }
      Future<Long> requests = pair[0] == null ? Future.succeededFuture(-1L) : pair[0].used(nowNanos);
      Future<Long> tokens = pair[1] == null ? Future.succeededFuture(-1L) : pair[1].used(nowNanos);
      String scope = (pair[0] != null ? pair[0] : pair[1]).scope();
      all.add(Future.all(requests, tokens).map(v -> new KeyUse(key, scope, requests.result(), tokens.result())));
    }
    return Future.all(all).map(v -> all.stream().map(Future::result).toList());
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
