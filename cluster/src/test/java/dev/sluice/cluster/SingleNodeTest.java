package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import dev.sluice.testkit.Eventually;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleNodeTest {

  private static final CalibrationKey CODE = new CalibrationKey("qwen", "code");
  private static final KeyStats LEARNED = new KeyStats(500, 120.0, 3.2, 7.0, 0.15);

  @TempDir
  Path dir;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private ClusterConfig config() {
    return ClusterConfig.defaults().withPublishPeriod(Duration.ofMillis(100)).withEntryTtl(Duration.ofSeconds(1))
        .withStateFile(dir.resolve("calibration.json"));
  }

  @Test
  void calibrationSurvivesARestartThroughTheStateFile() throws Exception {
    TestCalibration first = new TestCalibration();
    ClusterNode node = ClusterNode.start(vertx, config(), first).await(20, TimeUnit.SECONDS);
    first.learn(CODE, LEARNED);
    ClassStats classes = TestCalibration.classStats(320, 150.5, 0.75);
    first.learn("qwen", classes);
    node.stop().await(20, TimeUnit.SECONDS);

    TestCalibration second = new TestCalibration();
    ClusterNode.start(vertx, config(), second).await(20, TimeUnit.SECONDS);
    assertThat(second.restored()).containsEntry(CODE, LEARNED);
    assertThat(second.restoredClasses()).containsEntry("qwen", classes);
  }

  @Test
  void stateFileIsAlsoWrittenWhileRunning() throws Exception {
    TestCalibration cal = new TestCalibration();
    ClusterConfig c = ClusterConfig.SECTION.bind(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(
        java.util.Map.of("state_file", dir.resolve("c.json").toString(), "save_period_s", 1,
            "publish_period_ms", 100, "entry_ttl_ms", 1000)));
    ClusterNode.start(vertx, c, cal).await(20, TimeUnit.SECONDS);
    cal.learn(CODE, LEARNED);
    Eventually.assertEventually(Duration.ofSeconds(10), () -> {
      try {
        assertThat(new CalibrationFile(dir.resolve("c.json")).load()).hasValueSatisfying(
            s -> assertThat(s.state().ratios()).containsEntry(CODE, LEARNED));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void singleNodeReportsItselfAsTheOnlyReachableMember() throws Exception {
    ClusterNode node = ClusterNode.start(vertx, config(), new TestCalibration()).await(20, TimeUnit.SECONDS);
    Eventually.eventually(() -> node.status().rounds() >= 3, "a few rounds", Duration.ofSeconds(10));
    ClusterStatus s = node.status();
    assertThat(s.mode().equals("single") && s.reachable() && s.members().equals(java.util.List.of(s.nodeId())))
        .as("status %s", s.toJson()).isTrue();
  }

  @Test
  void corruptStateFileFailsTheStartNamingThePath() throws Exception {
    Files.writeString(dir.resolve("calibration.json"), "not json");
    Throwable failure = ClusterNode.start(vertx, config(), new TestCalibration()).transform(
        ar -> io.vertx.core.Future.succeededFuture(ar.cause())).await(20, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("calibration.json");
  }
}
