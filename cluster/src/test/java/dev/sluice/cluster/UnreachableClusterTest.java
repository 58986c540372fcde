package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.KeyStats;
import dev.sluice.testkit.Eventually;
import dev.sluice.testkit.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node whose own Hazelcast member goes away under it (the cluster is unreachable from its point of
 * view): it keeps serving with what it had merged, and says so in its status and meters.
 */
class UnreachableClusterTest {

  private static final String CLUSTER = "sluice-unreachable-" + UUID.randomUUID();
  private static final CalibrationKey JSON = new CalibrationKey("llama", "json");
  private static final KeyStats B_LEARNED = new KeyStats(300, 90.0, 2.4, 6.0, 0.2);
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final List<LocalMember> started = new ArrayList<>();
  private static LocalMember a;
  private static LocalMember b;
  private static SimpleMeterRegistry registry;

  @BeforeAll
  static void cutAOffAfterItLearnedFromB() throws Exception {
    List<Integer> ports = FreePorts.pick(2);
    a = LocalMember.start(LocalMember.config(CLUSTER, ports.get(0), ports));
    started.add(a);
    b = LocalMember.start(LocalMember.config(CLUSTER, ports.get(1), ports));
    started.add(b);
    registry = new SimpleMeterRegistry();
    new ClusterMetrics(a.node).bindTo(registry);
    b.calibration.learn(JSON, B_LEARNED);
    Eventually.eventually(() -> B_LEARNED.equals(a.calibration.adopted().get(JSON)), "A adopts B's state", CONVERGE);
    a.hazelcast().getLifecycleService().terminate();
    Eventually.eventually(() -> a.node.status().consecutiveFailures() >= 3, "A fails a few rounds", CONVERGE);
  }

  @AfterAll
  static void stop() {
    started.forEach(LocalMember::close);
  }

  @Test
  void statusSaysUnreachableAndCountsFailures() {
    ClusterStatus s = a.node.status();
    assertThat(List.of(s.reachable(), s.publishFailuresTotal() >= 3)).containsExactly(false, true);
  }

  @Test
  void metersShowTheFailure() {
    assertThat(List.of(registry.get("sluice.cluster.reachable").gauge().value(),
        registry.get("sluice.cluster.publish.failures").functionCounter().count() >= 3 ? 1.0 : 0.0))
        .containsExactly(0.0, 1.0);
  }

  @Test
  void keepsServingWithWhatItHadMerged() {
    // B's calibration: 6 template tokens + 2400 bytes at 2.4 bytes per token
    assertThat(a.calibration.estimateTokens(JSON, 2400)).isCloseTo(1006.0, within(1e-9));
  }
}
