package dev.sluice.dispatcher.exact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.route.PoolRouter;
import org.junit.jupiter.api.Test;

class StraddleRuleTest {

  private static final PoolRouter THREE = new PoolRouter(new int[] {2048, 8192, 65536});

  @Test
  void aBandInsideOnePoolNeedsNoCount() {
    assertThat(StraddleRule.candidate(THREE, 1000, 1900)).isEqualTo(-1);
    assertThat(StraddleRule.candidate(THREE, 3000, 8000)).isEqualTo(-1);
    assertThat(StraddleRule.candidate(THREE, 70_000, 90_000)).isEqualTo(-1);
  }

  @Test
  void aBandHoldingAContextAsksThePoolItsLowEdgeFits() {
    assertThat(StraddleRule.candidate(THREE, 1900, 2100)).isEqualTo(0);
    assertThat(StraddleRule.candidate(THREE, 8000, 8400)).isEqualTo(1);
    // a band over two contexts asks the smallest pool that might hold the request
    assertThat(StraddleRule.candidate(THREE, 2000, 9000)).isEqualTo(0);
  }

  @Test
  void theEdgesAreInclusiveLikeRouting() {
    // a total equal to a context fits it
    assertThat(StraddleRule.candidate(THREE, 1800, 2048)).isEqualTo(-1);
    assertThat(StraddleRule.candidate(THREE, 2048, 2049)).isEqualTo(0);
    assertThat(StraddleRule.candidate(THREE, 2049, 2100)).isEqualTo(-1);
  }

  @Test
  void aSinglePoolNeverAsks() {
    assertThat(StraddleRule.candidate(new PoolRouter(new int[] {4096}), 100, 100_000)).isEqualTo(-1);
  }
}
