package dev.sluice.dispatcher.savings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SlidingCountsTest {

  @Test
  void fractionIsNanBeforeAnyEvent() {
    SlidingCounts w = new SlidingCounts(3, 2);
    w.push(new long[] {0, 0});
    assertThat(w.fraction(0)).isNaN();
  }

  @Test
  void fractionCountsEveryBucketInTheWindow() {
    SlidingCounts w = new SlidingCounts(3, 2);
    w.push(new long[] {3, 1});
    w.push(new long[] {5, 1});
    assertThat(w.fraction(0)).isCloseTo(0.8, within(1e-12));
  }

  @Test
  void oldestBucketFallsOutWhenTheWindowIsFull() {
    SlidingCounts w = new SlidingCounts(2, 2);
    w.push(new long[] {10, 0});
    w.push(new long[] {1, 1});
    w.push(new long[] {1, 1});
    assertThat(w.sum(0)).isEqualTo(2);
    assertThat(w.fraction(0)).isCloseTo(0.5, within(1e-12));
    assertThat(w.filled()).isEqualTo(2);
  }

  @Test
  void negativeDeltasCountAsZero() {
    SlidingCounts w = new SlidingCounts(2, 2);
    w.push(new long[] {-4, 2});
    assertThat(w.total()).isEqualTo(2);
  }
}
