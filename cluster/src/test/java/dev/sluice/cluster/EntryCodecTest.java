package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.sluice.calibration.KeyStats;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

  private static final CalibrationKey PROSE = new CalibrationKey("llama", "prose");

  @Test
  void entryRoundTripsThroughJson() {
    NodeEntry e = new NodeEntry("n1", 1234, CalibrationState.ofRatios(Map.of(PROSE, new KeyStats(7, 6.5, 4.1, 3.0, 0.2))),
        Map.of("gone", new NodeEntry.Carried(1000, CalibrationState.ofRatios(Map.of(PROSE, new KeyStats(3, 2.0, 3.9, 2.0, 0.1))))),
        Map.of("long", 3), Set.of("older"));
    assertThat(EntryCodec.decode(EntryCodec.encode(e))).isEqualTo(e);
  }

  @Test
  void classRegressionsRoundTripOwnAndCarried() {
    ClassStats own = TestCalibration.classStats(40, 35.5, 1.5);
    ClassStats gone = TestCalibration.classStats(9, 8.0, -2.0);
    NodeEntry e = new NodeEntry("n1", 77, new CalibrationState(Map.of(), Map.of("llama", own)),
        Map.of("gone", new NodeEntry.Carried(50, new CalibrationState(Map.of(), Map.of("llama", gone)))),
        Map.of(), Set.of());
    NodeEntry back = EntryCodec.decode(EntryCodec.encode(e));
    assertThat(back).isEqualTo(e);
    assertThat(back.own().classes().get("llama").moments()).containsExactly(own.moments());
  }

  @Test
  void classRowsOfAnotherClassLayoutAreIgnored() {
    JsonObject o = new JsonObject(EntryCodec.encode(new NodeEntry("n1", 1,
        new CalibrationState(Map.of(), Map.of("m", TestCalibration.classStats(3, 3, 1))), Map.of(), Map.of(),
        Set.of())));
    o.getJsonObject("classes").put("layout", new JsonArray().add("letters").add("digits"));
    assertThat(EntryCodec.decode(o.encode()).own().classes()).isEmpty();
  }

  @Test
  void anEntryWithoutClassesReadsAsRatiosOnly() {
    JsonObject o = new JsonObject(EntryCodec.encode(new NodeEntry("n1", 1,
        CalibrationState.ofRatios(Map.of(PROSE, new KeyStats(7, 6.5, 4.1, 3.0, 0.2))), Map.of(), Map.of(), Set.of())));
    o.remove("classes");
    NodeEntry back = EntryCodec.decode(o.encode());
    assertThat(back.own().ratios()).containsKey(PROSE);
    assertThat(back.own().classes()).isEmpty();
  }

  @Test
  void nonFiniteStatsAreNotPublished() {
    NodeEntry e = new NodeEntry("n1", 1, CalibrationState.ofRatios(Map.of(PROSE, new KeyStats(1, 1, Double.NaN, 0, 0))), Map.of(), Map.of(),
        Set.of());
    assertThat(EntryCodec.decode(EntryCodec.encode(e)).own().ratios()).isEmpty();
  }

  @Test
  void garbageIsRejectedWithIllegalArgument() {
    assertThatThrownBy(() -> EntryCodec.decode("{\"v\":1,\"own\":[[1]]}")).isInstanceOf(IllegalArgumentException.class);
  }
}
