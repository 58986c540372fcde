package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.mock.PromptCounter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live savings gauges on a real node's /metrics, fed by real mock pools over real sockets. */
class LiveFiguresHttpTest {
  private static final Pattern ALPHA = Pattern.compile("(?m)^sluice_alpha (\\S+)$");
  private static final Pattern SHORT_GEN =
      Pattern.compile("(?m)^sluice_pool_generation_tokens_per_second\\{pool=\"short\",?\\} (\\S+)$");

  private final Rig rig = new Rig();

  @AfterEach
  void close() {
    rig.close();
  }

  private static double value(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void alphaAndShortPoolThroughputAppearAfterTraffic() throws Exception {
    int port = rig.sluice(rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.BYTES),
        rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.BYTES));
    for (int i = 0; i < 6; i++) {
      assertThat(rig.post(port, "/v1/chat/completions", Rig.chat("a short question " + i, 64)).status())
          .isEqualTo(200);
    }
    Rig.eventually(() -> value(ALPHA, rig.get(rig.management(), "/metrics").text()) == 1.0, "sluice_alpha = 1");
    // tokens generated before the node's first scrape are its baseline, so traffic continues while polling
    Rig.eventually(() -> rig.post(port, "/v1/chat/completions", Rig.chat("one more", 64)).status() == 200
        && value(SHORT_GEN, rig.get(rig.management(), "/metrics").text()) > 0, "short-pool generation tokens/s > 0");
  }
}
