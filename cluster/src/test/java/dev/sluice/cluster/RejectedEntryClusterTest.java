package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.KeyStats;
import dev.sluice.testkit.Eventually;
import dev.sluice.testkit.FreePorts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real member next to a Hazelcast member that is not a Sluice node (anyone who reaches the port can join): what
 * the intruder publishes within bounds is merged like any member's, what breaks them is dropped and counted.
 */
class RejectedEntryClusterTest {
  private static final String CLUSTER = "sluice-test-rejected";
  private static final String INTRUDER = "intruder";
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(30);

  private static void publish(HazelcastInstance hz, long at, CalibrationKey key, KeyStats stats) {
    String json = EntryCodec.encode(new NodeEntry(INTRUDER, at, CalibrationState.ofRatios(Map.of(key, stats)), Map.of(), Map.of(), Set.of()));
    hz.getMap(MemberConfig.CALIBRATION_MAP).put(INTRUDER, json, 30, TimeUnit.SECONDS);
  }

  @Test
  void entriesOutOfBoundsAreDroppedAndCountedWhileSaneOnesMerge() throws Exception {
    List<Integer> ports = FreePorts.pick(2);
    LocalMember node = LocalMember.start(LocalMember.config(CLUSTER, ports.get(0), ports));
    Config intruderConfig = MemberConfig.build(LocalMember.config(CLUSTER, ports.get(1), ports));
    intruderConfig.getMemberAttributeConfig().setAttribute(HazelcastStateTable.NODE_ID_ATTRIBUTE, INTRUDER);
    HazelcastInstance intruder = Hazelcast.newHazelcastInstance(intruderConfig);
    try {
      Eventually.eventually(() -> node.node.status().members().contains(INTRUDER), "the intruder joined", WAIT);
      CalibrationKey sane = new CalibrationKey("llama", "prose");
      publish(intruder, System.currentTimeMillis(), sane, new KeyStats(200, 200, 3.9, 8, 0.2));
      Eventually.eventually(() -> node.calibration.adopted().containsKey(sane), "a sane entry is merged", WAIT);
      assertThat(node.node.rejectedEntries()).isZero();

      CalibrationKey negative = new CalibrationKey("llama", "code");
      publish(intruder, System.currentTimeMillis(), negative, new KeyStats(200, 200, -3.0, 8, 0.2));
      Eventually.eventually(() -> node.node.rejectedEntries() >= 1, "the negative ratio is dropped and counted", WAIT);
      CalibrationKey ahead = new CalibrationKey("llama", "json");
      publish(intruder, System.currentTimeMillis() + 365L * 24 * 3600 * 1000, ahead, new KeyStats(200, 200, 3, 8, 0.2));
      long before = node.node.rejectedEntries();
      Eventually.eventually(() -> node.node.rejectedEntries() > before,
          "a year-ahead entry is dropped and counted", WAIT);
      assertThat(node.calibration.adopted()).doesNotContainKeys(negative, ahead);
    } finally {
      intruder.getLifecycleService().terminate();
      node.close();
    }
  }
}
