package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadgenOptionsTest {

  @Test
  void parsesDurationsWithUnits() {
    assertThat(new long[] {Loadgen.parseDuration("500ms"), Loadgen.parseDuration("30s"), Loadgen.parseDuration("2m"),
        Loadgen.parseDuration("1.5")}).containsExactly(500_000_000L, 30_000_000_000L, 120_000_000_000L,
        1_500_000_000L);
  }

  @Test
  void parsesAMixWithWeights() {
    assertThat(Loadgen.parseMix("prose:3, code:1,cjk")).containsExactly(Map.entry("prose", 3.0),
        Map.entry("code", 1.0), Map.entry("cjk", 1.0));
  }

  @Test
  void defaultsThePathToChatCompletions() {
    Loadgen.Options o = Loadgen.parse(new String[] {"--target", "http://127.0.0.1:9000", "--rate", "10"});
    assertThat(o.spec().targets().get(0).path()).isEqualTo(LoadSpec.DEFAULT_PATH);
  }

  @Test
  void keepsAnExplicitPath() {
    Loadgen.Options o = Loadgen.parse(new String[] {"--target", "http://127.0.0.1:9000/v1/completions", "--rate", "1"});
    assertThat(o.spec().targets().get(0).path()).isEqualTo("/v1/completions");
  }

  @Test
  void refusesTimeScaleAndRateTogetherOnATrace() {
    assertThatThrownBy(() -> Loadgen.parse(new String[] {"--target", "http://h:1", "--trace", "t.csv",
        "--time-scale", "0.5", "--rate", "10"})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesUnknownOptions() {
    assertThatThrownBy(() -> Loadgen.parse(new String[] {"--target", "http://h:1", "--rate", "1", "--bogus", "x"}))
        .hasMessageContaining("--bogus");
  }

  @Test
  void needsARateATraceOrAClosedLoop() {
    assertThatThrownBy(() -> Loadgen.parse(new String[] {"--target", "http://h:1"}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void maxTokensFromTheTraceUnlessGiven() {
    Loadgen.Options o = Loadgen.parse(new String[] {"--target", "http://h:1", "--trace", "t.csv"});
    assertThat(o.maxTokensSet()).isFalse();
  }
}
