package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.KeyStats;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

  private static final CalibrationKey PROSE = new CalibrationKey("llama", "prose");

  @Test
  void entryRoundTripsThroughJson() {
    NodeEntry e = new NodeEntry("n1", 1234, Map.of(PROSE, new KeyStats(7, 6.5, 4.1, 3.0, 0.2)),
        Map.of("gone", new NodeEntry.Carried(1000, Map.of(PROSE, new KeyStats(3, 2.0, 3.9, 2.0, 0.1)))),
        Map.of("long", 3), Set.of("older"));
    assertThat(EntryCodec.decode(EntryCodec.encode(e))).isEqualTo(e);
  }

  @Test
  void nonFiniteStatsAreNotPublished() {
    NodeEntry e = new NodeEntry("n1", 1, Map.of(PROSE, new KeyStats(1, 1, Double.NaN, 0, 0)), Map.of(), Map.of(),
        Set.of());
    assertThat(EntryCodec.decode(EntryCodec.encode(e)).own()).isEmpty();
  }

  @Test
  void garbageIsRejectedWithIllegalArgument() {
    assertThatThrownBy(() -> EntryCodec.decode("{\"v\":1,\"own\":[[1]]}")).isInstanceOf(IllegalArgumentException.class);
  }
}
