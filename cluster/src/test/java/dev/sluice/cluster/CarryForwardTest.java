package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.KeyStats;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CarryForwardTest {

  private static final CalibrationKey CODE = new CalibrationKey("m", "code");
  private static final long HALF_LIFE = 60_000;
  private static final long MAX_AGE = 600_000;

  private static NodeEntry entry(String id, long at, KeyStats stats, Map<String, NodeEntry.Carried> carried) {
    return new NodeEntry(id, at, Map.of(CODE, stats), carried, Map.of("short", 2), Set.of());
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
    assertThat(r.others().get(CODE).bytesPerToken()).isCloseTo(3.25, within(1e-9));
  }

  @Test
  void departedNodeIsCarriedWithDecayedWeight() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 40), Map.of())), Set.of());
    var r = cf.merge(HALF_LIFE, Map.of(), Set.of());
    assertThat(r.carried()).containsKey("a");
    assertThat(r.others().get(CODE).weight()).isCloseTo(20.0, within(1e-9));
  }

  @Test
  void nodeCarriedByManyCountsOnceNewestWins() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    NodeEntry.Carried old = new NodeEntry.Carried(100, Map.of(CODE, stats(2.0, 10)));
    NodeEntry.Carried newer = new NodeEntry.Carried(200, Map.of(CODE, stats(5.0, 10)));
    var r = cf.merge(200, Map.of(
        "b", new NodeEntry("b", 200, Map.of(), Map.of("a", old), Map.of(), Set.of()),
        "c", new NodeEntry("c", 200, Map.of(), Map.of("a", newer), Map.of(), Set.of())), Set.of());
    assertThat(r.others().get(CODE).bytesPerToken()).isEqualTo(5.0);
    assertThat(r.others().get(CODE).weight()).isCloseTo(10.0, within(1e-6));
  }

  @Test
  void carriedCopyIsDroppedOnceItsNodeIsLiveAgain() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 10), Map.of())), Set.of());
    cf.merge(1000, Map.of(), Set.of());
    var r = cf.merge(2000, Map.of("a", entry("a", 2000, stats(3.0, 10), Map.of())), Set.of());
    assertThat(r.carried()).isEmpty();
    assertThat(r.others().get(CODE).weight()).isEqualTo(10.0);
  }

  @Test
  void supersededIncarnationIsDroppedEverywhere() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("old", entry("old", 0, stats(3.0, 10), Map.of())), Set.of());
    NodeEntry reborn = new NodeEntry("new", 1000, Map.of(CODE, stats(3.0, 10)), Map.of(), Map.of(), Set.of("old"));
    NodeEntry carrier = new NodeEntry("b", 1000, Map.of(), Map.of("old", new NodeEntry.Carried(0, Map.of(CODE,
        stats(3.0, 10)))), Map.of(), Set.of());
    var r = cf.merge(1000, Map.of("new", reborn, "b", carrier), Set.of());
    assertThat(r.carried()).doesNotContainKey("old");
    assertThat(r.others().get(CODE).weight()).isEqualTo(10.0);
  }

  @Test
  void ownStateCarriedByOthersIsNotCountedAsOthers() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    NodeEntry b = new NodeEntry("b", 0, Map.of(), Map.of("self", new NodeEntry.Carried(0, Map.of(CODE,
        stats(3.0, 10)))), Map.of(), Set.of());
    assertThat(cf.merge(0, Map.of("b", b), Set.of()).others()).isEmpty();
  }

  @Test
  void carriedStateIsForgottenAfterMaxAge() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 10), Map.of())), Set.of());
    assertThat(cf.merge(MAX_AGE + 1, Map.of(), Set.of()).others()).isEmpty();
  }

  @Test
  void unreadLiveMemberKeepsFullWeightFromMemory() {
    CarryForward cf = new CarryForward("self", HALF_LIFE, MAX_AGE);
    cf.merge(0, Map.of("a", entry("a", 0, stats(3.0, 10), Map.of())), Set.of());
    var r = cf.merge(HALF_LIFE, Map.of(), Set.of("a"));
    assertThat(r.others().get(CODE).weight()).isEqualTo(10.0);
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
