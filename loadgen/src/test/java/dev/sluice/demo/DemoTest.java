package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.loadgen.ArrivalPlan;
import dev.sluice.loadgen.Report;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick demo, in-process: every part runs and its figures are sane. */
class DemoTest {
  @TempDir
  static Path out;
  private static DemoSummary summary;
  private static String printed;

  @BeforeAll
  static void runQuickDemo() throws Exception {
    DemoOptions quick = DemoOptions.defaults(true);
    DemoOptions options = new DemoOptions(true, quick.timeScale(), quick.rate(), quick.warmupSeconds(),
        quick.measureSeconds(), quick.shortContext(), out, quick.seed());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    summary = Demo.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    printed = bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void passes() {
    assertThat(summary.problems()).isEmpty();
    assertThat(printed).contains("DEMO PASSED");
  }

  @Test
  void bothFleetsCompleteRequests() {
    assertThat(summary.routed().completed()).isPositive();
    assertThat(summary.homogeneous().completed()).isPositive();
  }

  @Test
  void bothFleetsReportTtft() {
    assertThat(summary.routed().ttftP99()).isPositive();
    assertThat(summary.homogeneous().ttftP99()).isPositive();
  }

  @Test
  void alphaIsStrictlyBetweenZeroAndOne() {
    assertThat(summary.alphaLive()).isStrictlyBetween(0.0, 1.0);
  }

  @Test
  void bothPoolsServedTheRoutedFleet() {
    assertThat(summary.routedSplit()).containsKeys("short", "long");
  }

  @Test
  void theTwoNodesFormedOneCluster() {
    assertThat(summary.clusterMembers()).containsExactly(2, 2);
  }

  @Test
  void bothNodesLearnedCalibration() {
    assertThat(summary.calibration()).hasSize(2).allSatisfy(m -> assertThat(m).isNotEmpty());
  }

  @Test
  void projectionUsesRhoAboveOne() {
    assertThat(summary.rho()).isGreaterThan(1.0);
    assertThat(summary.projectedSavings()).isStrictlyBetween(0.0, 1.0);
  }

  @Test
  void theSaturationPhaseMeasuresRhoLive() {
    assertThat(summary.rhoLive()).isPositive();
    assertThat(printed).contains("live: sluice_rho as the nodes measured it");
  }

  @Test
  void writesOneComparisonPageAndBothFleetsReports() throws Exception {
    assertThat(Path.of(summary.page())).exists();
    for (DemoSummary.Fleet f : new DemoSummary.Fleet[] {summary.routed(), summary.homogeneous()}) {
      assertThat(new JsonObject(Files.readString(Path.of(f.reportFile()))).getString("schema"))
          .isEqualTo(Report.SCHEMA);
    }
    assertThat(Files.list(out).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("comparison.html", "routed.json", "homogeneous.json");
  }

  @Test
  void shareSplitsAPlanWithoutLosingOrReorderingRequests() {
    ArrivalPlan plan = new ArrivalPlan(new long[] {1, 2, 3, 4, 5}, new int[] {0, 1, 2, 3, 4});
    ArrivalPlan even = Demo.share(plan, 0, 2);
    ArrivalPlan odd = Demo.share(plan, 1, 2);
    assertThat(even.offsetsNanos()).containsExactly(1, 3, 5);
    assertThat(odd.template()).containsExactly(1, 3);
  }

  @Test
  void metricSumsMatchingSamplesOnly() {
    String text = """
        # TYPE x counter
        x_total{kind="under"} 2.0
        x_total{kind="over"} 3.0
        x_total_created 99.0
        """;
    assertThat(Demo.metric(text, "x_total")).isEqualTo(5.0);
    assertThat(Demo.metric(text, "x_total{kind=\"under\"")).isEqualTo(2.0);
  }
}
