package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.ContentCategory;
import org.junit.jupiter.api.Test;

class CalibratedRoutingTest {
  // text denser than the prose prior: 3 bytes per token
  static final double BYTES_PER_TOKEN = 3.0;
  static final int LONG_PROMPT = 4300;

  @Test
  void aColdTableUnderestimatesDenseTextAndSendsItShort() {
    CalibratedRouting routing = new CalibratedRouting(4096, ContentCategory.PROSE);
    assertThat(routing.route(LONG_PROMPT, (long) (LONG_PROMPT * BYTES_PER_TOKEN), 100))
        .isEqualTo(RoutingPolicy.SHORT);
  }

  @Test
  void feedbackFromEarlierRequestsTeachesItToSendTheSameRequestLong() {
    CalibratedRouting routing = new CalibratedRouting(4096, ContentCategory.PROSE);
    for (int i = 0; i < 300; i++) {
      int tokens = 300 + (i * 37) % 2500;
      routing.route(tokens, (long) (tokens * BYTES_PER_TOKEN), 100);
    }
    assertThat(routing.route(LONG_PROMPT, (long) (LONG_PROMPT * BYTES_PER_TOKEN), 100))
        .isEqualTo(RoutingPolicy.LONG);
  }
}
