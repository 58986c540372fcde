package dev.sluice.dispatcher.balance;

/**
 * An endpoint's load as the endpoint choice weighs it, in tokens:
 *
 * <pre>
 *   load = B + u × (Q + K)
 * </pre>
 *
 * <ul>
 *   <li>{@code B}: the budgets (estimated prompt plus output reserve) of this node's requests in flight there.
 *       A 7,000-token prompt weighs 35 times a 200-token one, as it does on the GPU.</li>
 *   <li>{@code Q}: {@code vllm:num_requests_waiting} from the endpoint's last fresh scrape. It sees what other
 *       nodes sent, and a queue means a newcomer's first token waits for every prefill ahead of it.</li>
 *   <li>{@code K}: 0 up to 90% {@code vllm:kv_cache_usage_perc}, rising to 1 at a full cache: there the next
 *       request waits for blocks to free (vLLM admits a request only when its whole sequence fits), as if one
 *       more request were queued.</li>
 *   <li>{@code u}: what a queued request weighs: the mean budget of this node's requests in flight there
 *       ({@code B} over their count), or, with none, the budget of the request being placed.</li>
 * </ul>
 *
 * Requests this node sent that are queued at the endpoint count in both {@code B} and {@code Q}: a queued
 * request delays a newcomer more than a running one does. Unknown or stale scraped values count 0.
 */
public final class BudgetLoad {

  /** KV-cache usage from which the cache counts as filling up. */
  static final double KV_FILLING = 0.9;

  private BudgetLoad() {
  }

  /**
   * @param budgetInFlight sum of the budgets of this node's requests in flight on the endpoint
   * @param inFlight       how many they are
   * @param waiting        scraped waiting requests, 0 when unknown or stale
   * @param kvUsage        scraped KV-cache usage in [0,1], 0 when unknown or stale
   * @param requestBudget  the budget of the request being placed
   */
  public static double of(long budgetInFlight, int inFlight, double waiting, double kvUsage, long requestBudget) {
    double filling = Math.max(0, (kvUsage - KV_FILLING) / (1 - KV_FILLING));
    double queued = waiting + Math.min(1, filling);
    if (queued <= 0) {
      return budgetInFlight;
    }
    double unit = inFlight > 0 ? (double) budgetInFlight / inFlight : requestBudget;
    return budgetInFlight + unit * queued;
  }
}
