package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import dev.sluice.testkit.Eventually;
import dev.sluice.testkit.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real Hazelcast members on 127.0.0.1 in this JVM, each with its own clustered Vert.x. The steps
 * build on each other: A learns, A dies without leaving, A comes back empty.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeMemberClusterTest {

  private static final String CLUSTER = "sluice-three-" + UUID.randomUUID();
  private static final CalibrationKey CODE = new CalibrationKey("qwen", "code");
  private static final KeyStats A_LEARNED = new KeyStats(800, 200.0, 2.9, 11.0, 0.12);
  private static final ClassStats A_CLASSES = TestCalibration.classStats(600, 180.0, 2.5);
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  private static List<Integer> ports;
  private static LocalMember a;
  private static LocalMember b;
  private static LocalMember c;
  private static final List<LocalMember> started = new ArrayList<>();

  @BeforeAll
  static void startMembers() throws Exception {
    ports = FreePorts.pick(3);
    a = started(LocalMember.start(LocalMember.config(CLUSTER, ports.get(0), ports)));
    b = started(LocalMember.start(LocalMember.config(CLUSTER, ports.get(1), ports)));
    c = started(LocalMember.start(LocalMember.config(CLUSTER, ports.get(2), ports)));
    Eventually.eventually(() -> List.of(a, b, c).stream().allMatch(m -> m.node.status().members().size() == 3),
        "three members everywhere", CONVERGE);
  }

  private static LocalMember started(LocalMember m) {
    started.add(m);
    return m;
  }

  @AfterAll
  static void stopMembers() {
    started.forEach(LocalMember::close);
  }

  @Test
  @Order(1)
  void whatALearnsIsAdoptedByBAndCWithinTwoPeriods() {
    long aRounds = a.node.status().rounds();
    a.calibration.learn("qwen", A_CLASSES);
    a.calibration.learn(CODE, A_LEARNED);
    // A's round after next certainly carries the sample; B's and C's second rounds after that read it.
    Eventually.eventually(() -> a.node.status().rounds() >= aRounds + 2, "A publishes", CONVERGE);
    long bRounds = b.node.status().rounds();
    long cRounds = c.node.status().rounds();
    Eventually.eventually(() -> b.node.status().rounds() >= bRounds + 2 && c.node.status().rounds() >= cRounds + 2,
        "B and C each finish two more rounds", CONVERGE);
    assertThat(List.of(b.calibration.adopted().get(CODE), c.calibration.adopted().get(CODE)))
        .containsOnly(A_LEARNED);
    assertThat(List.of(b.calibration.adoptedClasses().get("qwen"), c.calibration.adoptedClasses().get("qwen")))
        .containsOnly(A_CLASSES);
  }

  @Test
  @Order(2)
  void eachNodeSeesTheOthersInflightPerPool() {
    b.inflight.put("short", 5);
    c.inflight.put("short", 2);
    a.inflight.put("short", 100);
    Eventually.assertEventually(CONVERGE, () -> assertThat(a.node.clusterInflight("short", 1)).isEqualTo(8));
  }

  @Test
  @Order(3)
  void killingAWithoutLeavingKeepsItsCalibrationInBAndC() {
    Eventually.eventually(() -> b.calibration.adopted().containsKey(CODE), "B has A's state", CONVERGE);
    String aId = a.id();
    AtomicReference<Throwable> requestPathError = new AtomicReference<>();
    Thread requests = servingLoop(requestPathError);
    a.kill();
    Eventually.eventually(() -> b.node.status().carried().contains(aId) && c.node.status().carried().contains(aId),
        "B and C see A gone and carry it", CONVERGE);
    // Past A's entry TTL: the knowledge now lives only in what B and C carry.
    Eventually.sleep(3500);
    requests.interrupt();
    assertThat(new double[] {b.calibration.adopted().get(CODE).bytesPerToken(),
        c.calibration.adopted().get(CODE).bytesPerToken(), requestPathError.get() == null ? 0.0 : -1.0})
        .containsExactly(new double[] {A_LEARNED.bytesPerToken(), A_LEARNED.bytesPerToken(), 0.0}, within(1e-9));
    // the regression is carried too, scaled down by its age: the same equations with less say
    for (LocalMember m : List.of(b, c)) {
      ClassStats carried = m.calibration.adoptedClasses().get("qwen");
      double factor = carried.weight() / A_CLASSES.weight();
      assertThat(factor).isBetween(0.5, 1.0);
      assertThat(carried.moments()[7]).isCloseTo(A_CLASSES.moments()[7] * factor, within(1e-6));
    }
  }

  @Test
  @Order(4)
  void restartedAIsWarmFromWhatBAndCCarried() throws Exception {
    LocalMember reborn = started(LocalMember.start(LocalMember.config(CLUSTER, ports.get(0), ports)));
    Eventually.assertEventually(CONVERGE, () -> {
      KeyStats got = reborn.calibration.adopted().get(CODE);
      assertThat(got).isNotNull();
      assertThat(got.bytesPerToken()).isCloseTo(A_LEARNED.bytesPerToken(), within(1e-9));
      assertThat(got.weight()).isBetween(0.0, A_LEARNED.weight());
      ClassStats classes = reborn.calibration.adoptedClasses().get("qwen");
      assertThat(classes).isNotNull();
      assertThat(classes.samples()).isEqualTo(A_CLASSES.samples());
      assertThat(classes.weight()).isBetween(0.0, A_CLASSES.weight());
    });
  }

  @Test
  @Order(5)
  void survivorsStayReachable() {
    Eventually.assertEventually(CONVERGE, () -> assertThat(List.of(b.node.status().reachable(),
        c.node.status().reachable())).containsOnly(true));
  }

  /** The request path during the kill: snapshot reads only, which must never throw. */
  private static Thread servingLoop(AtomicReference<Throwable> error) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          b.calibration.estimateTokens(CODE, 4096);
          c.calibration.estimateTokens(CODE, 4096);
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        } catch (Throwable e) {
          error.compareAndSet(null, e);
        }
      }
    }, "request-path");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
