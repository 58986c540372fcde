package dev.sluice.dispatcher.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PoolRouterTest {
  private final PoolRouter two = new PoolRouter(new int[] {8192, 65536});
  private final PoolRouter three = new PoolRouter(new int[] {4096, 16384, 131072});

  @Test
  void budgetThatFitsTheSmallPoolGoesShort() {
    assertThat(two.poolFor(1200)).isZero();
  }

  @Test
  void budgetEqualToTheSmallContextStillFits() {
    assertThat(two.poolFor(8192)).isZero();
  }

  @Test
  void oneTokenOverTheSmallContextGoesLong() {
    assertThat(two.poolFor(8193)).isEqualTo(1);
  }

  @Test
  void budgetLargerThanEveryPoolGoesToTheLargest() {
    assertThat(two.poolFor(1_000_000)).isEqualTo(1);
  }

  @Test
  void threePoolsEachTakeTheirBand() {
    assertThat(new int[] {three.poolFor(100), three.poolFor(4097), three.poolFor(16385), three.poolFor(200_000)})
        .containsExactly(0, 1, 2, 2);
  }

  @Test
  void largerNamesTheNextPoolUntilTheLast() {
    assertThat(new int[] {three.larger(0), three.larger(1), three.larger(2)}).containsExactly(1, 2, -1);
  }

  @Test
  void contextsMustIncrease() {
    assertThatThrownBy(() -> new PoolRouter(new int[] {8192, 8192})).isInstanceOf(IllegalArgumentException.class);
  }
}
