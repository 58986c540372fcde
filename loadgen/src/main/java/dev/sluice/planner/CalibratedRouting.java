package dev.sluice.planner;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.CalibrationTable;
import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.route.PoolRouter;

/**
 * Routes with the dispatcher's own calibration table: the routing estimate is the table's conservative
 * prompt tokens for the byte length plus {@code max_tokens}, and after each decision the true prompt count
 * is fed back, as the dispatcher does from {@code usage.prompt_tokens}. So the simulation carries the real
 * estimator's cold start (the category prior until enough samples), its learned intercept and its noise.
 * The feedback arrives at once here rather than a response later, which changes nothing for a table that
 * averages over ~100 samples.
 */
public final class CalibratedRouting implements RoutingPolicy {
  /** The model name every simulated request carries (one calibration key per category). */
  static final String MODEL = "planner";

  private final CalibrationTable table;
  private final ContentCategory category;
  /** The dispatcher's own pool choice; the long pool's size does not matter to a two-pool decision. */
  private final PoolRouter router;

  public CalibratedRouting(int shortContext, ContentCategory category) {
    this(shortContext, category, new CalibrationTable(CalibrationParams.defaults()));
  }

  public CalibratedRouting(int shortContext, ContentCategory category, CalibrationTable table) {
    this.router = new PoolRouter(new int[] {shortContext, Integer.MAX_VALUE});
    this.category = category;
    this.table = table;
  }

  @Override
  public int route(int promptTokens, long promptBytes, int maxTokens) {
    long estimate = (long) table.view(MODEL, category).routingTokens(promptBytes) + maxTokens;
    table.observe(MODEL, category, promptBytes, promptTokens);
    return router.poolFor(estimate) == 0 ? SHORT : LONG;
  }

  /** Bytes per token the table routes with now (after the run: where it settled). */
  public double conservativeBytesPerToken() {
    return table.view(MODEL, category).conservativeBytesPerToken();
  }
}
