package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.Eventually;
import dev.sluice.testkit.FreePorts;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three real members logging through java.util.logging as a node does: the master leaves gracefully, then a
 * member dies. The survivors report the departure at INFO and the death at WARNING.
 */
class GracefulLeaveTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  /** Longer than the survivors' reconnection attempts to a departed member take to give up. */
  private static final long SETTLE_MILLIS = 2_000;

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private final List<LocalMember> started = new CopyOnWriteArrayList<>();

  @BeforeEach
  void capture() {
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void stop() {
    started.forEach(LocalMember::close);
    Logger.getLogger("").removeHandler(capture);
  }

  @Test
  void aMemberThatLeavesIsReportedAtInfoAndOneThatDiesAtWarning() throws Exception {
    String cluster = "sluice-leave-" + UUID.randomUUID();
    List<Integer> ports = FreePorts.pick(3);
    LocalMember master = start(cluster, ports.get(0), ports);
    LocalMember b = start(cluster, ports.get(1), ports);
    LocalMember c = start(cluster, ports.get(2), ports);
    Eventually.eventually(() -> List.of(master, b, c).stream().allMatch(m -> m.node.status().members().size() == 3),
        "three members everywhere", CONVERGE);
    String masterAddress = address(master);
    String cAddress = address(c);

    int before = records.size();
    master.close();
    Eventually.eventually(() -> b.node.status().members().size() == 2 && c.node.status().members().size() == 2,
        "the master gone from both views", CONVERGE);
    Eventually.eventually(() -> mentions(masterAddress, Level.INFO), "the departure noted", CONVERGE);
    Thread.sleep(SETTLE_MILLIS);
    assertThat(warnings(records.subList(before, records.size()))).isEmpty();

    c.kill();
    Eventually.eventually(() -> !warningsAbout(cAddress).isEmpty(), "the death reported at WARNING", CONVERGE);
  }

  private LocalMember start(String cluster, int port, List<Integer> ports) throws Exception {
    Map<String, String> props = new HashMap<>(LocalMember.FAST);
    props.put("hazelcast.logging.type", "jdk"); // as MemberConfig sets it for a node
    LocalMember m = LocalMember.start(LocalMember.config(cluster, port, ports).withHazelcastProperties(props));
    started.add(m);
    return m;
  }

  private static String address(LocalMember m) {
    return m.hazelcast().getCluster().getLocalMember().getAddress().toString();
  }

  private static List<String> warnings(List<LogRecord> records) {
    return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogRecord::getMessage).toList();
  }

  /** Warnings from the other members (not the one named in the prefix) about {@code address}. */
  private List<String> warningsAbout(String address) {
    return warnings(records).stream().filter(m -> m != null && Departures.body(m).contains(address)).toList();
  }

  private boolean mentions(String address, Level level) {
    return records.stream().anyMatch(r -> r.getLevel().equals(level) && r.getMessage() != null
        && Departures.body(r.getMessage()).contains(address));
  }
}
