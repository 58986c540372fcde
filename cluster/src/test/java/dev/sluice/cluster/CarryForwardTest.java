package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CarryForwardTest {

  private static final CalibrationKey CODE = new CalibrationKey("m", "code");
  private static final long HALF_LIFE = 60_000;
  private static final long MAX_AGE = 600_000;

  private static NodeEntry entry(String id, long at, KeyStats stats, Map<String, NodeEntry.Carried> carried) {
    return new NodeEntry(id, at, CalibrationState.ofRatios(Map.of(CODE, stats)), carried, Map.of("short", 2), Set.of());
  }

  private static KeyStats stats(double ratio, double weight) {
    return new KeyStats(100, weight, ratio, 5, 0.1);
  }

  @Test
  void liveNodesMergeWeightedBySampleWeight() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    var r = cf.merge(1000, Map.of(
        "a", entry("a", 1000, stats(3.0, 30), Map.of()),
        "b", entry("b", 1000, stats(4.0, 10), Map.of())), Set.of());
    assertThat(r.others().ratios().get(CODE).bytesPerToken()).isCloseTo(3.25, within(1e-9));
  }

  @Test
  void classRegressionsAddUpAndADepartedOneIsScaledDown() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    ClassStats a = TestCalibration.classStats(100, 40, 1.0);
    ClassStats b = TestCalibration.classStats(50, 20, 3.0);
    cf.merge(0, Map.of("a", classEntry("a", 0, a), "b", classEntry("b", 0, b)), Set.of());
    ClassStats live = cf.merge(0, Map.of("a", classEntry("a", 0, a), "b", classEntry("b", 0, b)), Set.of())
        .others().classes().get("m");
    assertThat(live.samples()).isEqualTo(150);
    assertThat(live.weight()).isEqualTo(60.0);
    assertThat(live.moments()[5]).isCloseTo(a.moments()[5] + b.moments()[5], within(1e-12));

    // b leaves: a half-life later it counts half
    ClassStats later = cf.merge(HALF_LIFE, Map.of("a", classEntry("a", HALF_LIFE, a)), Set.of())
        .others().classes().get("m");
    assertThat(later.weight()).isCloseTo(40 + 10, within(1e-9));
    assertThat(later.moments()[5]).isCloseTo(a.moments()[5] + 0.5 * b.moments()[5], within(1e-9));
  }

  private static NodeEntry classEntry(String id, long at, ClassStats stats) {
    return new NodeEntry(id, at, new CalibrationState(Map.of(), Map.of("m", stats)), Map.of(), Map.of(), Set.of());
  }

  @Test
  void departedNodeIsCarriedWithDecayedWeight() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 40), Map.of())), Set.of());
    var r = cf.merge(HALF_LIFE, Map.of(), Set.of());
    assertThat(r.carried()).containsKey("a");
    assertThat(r.others().ratios().get(CODE).weight()).isCloseTo(20.0, within(1e-9));
  }

  @Test
  void nodeCarriedByManyCountsOnceNewestWins() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    NodeEntry.Carried old = new NodeEntry.Carried(100, CalibrationState.ofRatios(Map.of(CODE, stats(2.0, 10))));
    NodeEntry.Carried newer = new NodeEntry.Carried(200, CalibrationState.ofRatios(Map.of(CODE, stats(5.0, 10))));
    var r = cf.merge(200, Map.of(
        "b", new NodeEntry("b", 200, CalibrationState.EMPTY, Map.of("a", old), Map.of(), Set.of()),
        "c", new NodeEntry("c", 200, CalibrationState.EMPTY, Map.of("a", newer), Map.of(), Set.of())), Set.of());
    assertThat(r.others().ratios().get(CODE).bytesPerToken()).isEqualTo(5.0);
    assertThat(r.others().ratios().get(CODE).weight()).isCloseTo(10.0, within(1e-6));
  }

  @Test
  void carriedCopyIsDroppedOnceItsNodeIsLiveAgain() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 10), Map.of())), Set.of());
    cf.merge(1000, Map.of(), Set.of());
    var r = cf.merge(2000, Map.of("a", entry("a", 2000, stats(3.0, 10), Map.of())), Set.of());
    assertThat(r.carried()).isEmpty();
    assertThat(r.others().ratios().get(CODE).weight()).isEqualTo(10.0);
  }

  @Test
  void supersededIncarnationIsDroppedEverywhere() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("old", entry("old", 0, stats(3.0, 10), Map.of())), Set.of());
    NodeEntry reborn = new NodeEntry("new", 1000, CalibrationState.ofRatios(Map.of(CODE, stats(3.0, 10))), Map.of(), Map.of(), Set.of("old"));
    NodeEntry carrier = new NodeEntry("b", 1000, CalibrationState.EMPTY, Map.of("old", new NodeEntry.Carried(0,
        CalibrationState.ofRatios(Map.of(CODE, stats(3.0, 10))))), Map.of(), Set.of());
    var r = cf.merge(1000, Map.of("new", reborn, "b", carrier), Set.of());
    assertThat(r.carried()).doesNotContainKey("old");
    assertThat(r.others().ratios().get(CODE).weight()).isEqualTo(10.0);
  }

  @Test
  void ownStateCarriedByOthersIsNotCountedAsOthers() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    NodeEntry b = new NodeEntry("b", 0, CalibrationState.EMPTY, Map.of("self", new NodeEntry.Carried(0,
        CalibrationState.ofRatios(Map.of(CODE, stats(3.0, 10))))), Map.of(), Set.of());
    assertThat(cf.merge(0, Map.of("b", b), Set.of()).others().size()).isZero();
  }

  @Test
  void carriedStateIsForgottenAfterMaxAge() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 10), Map.of())), Set.of());
    assertThat(cf.merge(MAX_AGE + 1, Map.of(), Set.of()).others().size()).isZero();
  }

  @Test
  void unreadLiveMemberKeepsFullWeightFromMemory() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 10), Map.of())), Set.of());
    var r = cf.merge(HALF_LIFE, Map.of(), Set.of("a"));
    assertThat(r.others().ratios().get(CODE).weight()).isEqualTo(10.0);
  }

  @Test
  void othersInflightIsSummedPerPool() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    var r = cf.merge(0, Map.of(
        "a", entry("a", 0, stats(3.0, 10), Map.of()),
        "b", entry("b", 0, stats(3.0, 10), Map.of())), Set.of());
    assertThat(r.othersInflight()).containsEntry("short", 4L);
  }
}
