package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a member may publish: the bounds an entry read from another member must keep to be merged. */
class EntryCheckTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final CalibrationKey KEY = new CalibrationKey("llama", "prose");
  private static final KeyStats GOOD = new KeyStats(500, 480.5, 4.1, 9.0, 0.3);

  private static NodeEntry entry(long at, KeyStats stats) {
    return new NodeEntry("n1", at, CalibrationState.ofRatios(Map.of(KEY, stats)), Map.of(), Map.of("short", 3), Set.of());
  }

  private static String problem(NodeEntry e) {
    return EntryCheck.problem(e, "n1", NOW);
  }

  @Test
  void aSaneEntryPassesAndSurvivesItsOwnJson() {
    NodeEntry e = entry(NOW - 400, GOOD);
    assertThat(problem(e)).isNull();
    assertThat(problem(EntryCodec.decode(EntryCodec.encode(e)))).isNull();
    // a clock a little ahead is tolerated
    assertThat(problem(entry(NOW + 30_000, GOOD))).isNull();
  }

  @Test
  void ratiosAndCountsOutOfBoundsAreRefused() {
    assertThat(problem(entry(NOW, new KeyStats(500, 480, -4.1, 9, 0.3)))).contains("-4.1 bytes per token");
    assertThat(problem(entry(NOW, new KeyStats(500, 480, 1e6, 9, 0.3)))).contains("bytes per token");
    assertThat(problem(entry(NOW, new KeyStats(-1, 480, 4.1, 9, 0.3)))).contains("-1 samples");
    assertThat(problem(entry(NOW, new KeyStats(500, Double.NaN, 4.1, 9, 0.3)))).contains("weight NaN");
    assertThat(problem(entry(NOW, new KeyStats(500, 480, 4.1, -1e9, 0.3)))).contains("intercept");
    assertThat(problem(entry(NOW, new KeyStats(500, 480, 4.1, 9, -2)))).contains("spread");
  }

  @Test
  void byteClassEquationsThatOnlyAFaultCouldWriteAreRefused() {
    double[] moments = new double[ClassStats.length()];
    for (int i = 0; i < ClassStats.dimension(); i++) {
      moments[ClassStats.diagonal(i)] = 10;
    }
    ClassStats sane = new ClassStats(200, 180, moments, 3, 180);
    assertThat(problem(classes(sane))).isNull();
    double[] nan = moments.clone();
    nan[ClassStats.length() - 1] = Double.NaN;
    assertThat(problem(classes(new ClassStats(200, 180, nan, 3, 180)))).contains("a moment of NaN");
    double[] negative = moments.clone();
    negative[ClassStats.diagonal(1)] = -1;
    assertThat(problem(classes(new ClassStats(200, 180, negative, 3, 180)))).contains("negative sum of squares");
    assertThat(problem(classes(new ClassStats(200, 0, moments, 3, 180)))).contains("classes: weight 0");
    assertThat(problem(classes(new ClassStats(200, 180, moments, -3, 180)))).contains("spread sums");
  }

  private static NodeEntry classes(ClassStats stats) {
    return new NodeEntry("n1", NOW, new CalibrationState(Map.of(), Map.of("llama", stats)), Map.of(), Map.of(),
        Set.of());
  }

  @Test
  void timestampsAheadOfTheClockAreRefused() {
    long yearAhead = NOW + 365L * 24 * 3600 * 1000;
    assertThat(problem(entry(yearAhead, GOOD))).contains("s ahead of this node's clock");
    assertThat(problem(entry(0, GOOD))).contains("publish time 0");
    NodeEntry carriedAhead = new NodeEntry("n1", NOW, CalibrationState.ofRatios(Map.of(KEY, GOOD)),
        Map.of("gone", new NodeEntry.Carried(yearAhead, CalibrationState.ofRatios(Map.of(KEY, GOOD)))), Map.of(), Set.of());
    assertThat(problem(carriedAhead)).startsWith("its carried state of gone: publish time");
  }

  @Test
  void anEntryUnderAnotherMembersKeyOrWithABadCountIsRefused() {
    assertThat(EntryCheck.problem(entry(NOW, GOOD), "n2", NOW)).isEqualTo("it claims to be node n1");
    NodeEntry negative = new NodeEntry("n1", NOW, CalibrationState.ofRatios(Map.of(KEY, GOOD)), Map.of(), Map.of("short", -5), Set.of());
    assertThat(problem(negative)).isEqualTo("in-flight count -5 for pool short");
  }
}
