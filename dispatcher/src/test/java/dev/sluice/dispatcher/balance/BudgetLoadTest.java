package dev.sluice.dispatcher.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BudgetLoadTest {

  @Test
  void withoutScrapedSignalsTheLoadIsTheBudgetInFlight() {
    assertThat(BudgetLoad.of(7_200, 2, 0, 0.5, 300)).isEqualTo(7_200.0);
  }

  /** Three queued requests weigh three of this node's average requests there (7,200 over 2). */
  @Test
  void aQueuedRequestWeighsTheMeanBudgetInFlightThere() {
    assertThat(BudgetLoad.of(7_200, 2, 3, 0, 300)).isEqualTo(7_200 + 3 * 3_600.0);
  }

  @Test
  void withNothingInFlightAQueuedRequestWeighsTheRequestBeingPlaced() {
    assertThat(BudgetLoad.of(0, 0, 2, 0, 500)).isEqualTo(1_000.0);
  }

  /** Below 90% the cache adds nothing; at 95% half a queued request; full, one. */
  @Test
  void aFillingCacheCountsAsUpToOneMoreQueuedRequest() {
    assertThat(new double[] {BudgetLoad.of(1_000, 1, 0, 0.89, 1), BudgetLoad.of(1_000, 1, 0, 0.95, 1),
        BudgetLoad.of(1_000, 1, 0, 1.0, 1)}).containsExactly(new double[] {1_000, 1_500, 2_000}, within(1e-6));
  }
}
