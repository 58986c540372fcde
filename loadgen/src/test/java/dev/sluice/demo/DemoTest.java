package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.html.HeadlessChromium;
import dev.sluice.loadgen.ArrivalPlan;
import dev.sluice.loadgen.Report;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick demo, in-process: every part runs and its figures are sane. */
class DemoTest {
  @TempDir
  static Path out;
  private static DemoSummary summary;
  private static String printed;
  private static final String BLOCKED_THREAD_CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
  /** What anything in the JVM logged at WARNING or above while the demo ran, as the console would show it. */
  private static final List<String> warnings = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void runQuickDemo() throws Exception {
    DemoOptions quick = DemoOptions.defaults(true);
    DemoOptions options = new DemoOptions(true, quick.timeScale(), quick.rate(), quick.warmupSeconds(),
        quick.measureSeconds(), quick.shortContext(), out, quick.seed());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Handler capture = new Handler() {
      private final SimpleFormatter format = new SimpleFormatter();

      @Override
      public void publish(LogRecord record) {
        // a blocked-thread warning measures wall-clock time: on a shared machine it reports the machine's load,
        // and speed is asserted in benchmarks, never in tests
        if (record.getLevel().intValue() >= Level.WARNING.intValue()
            && !BLOCKED_THREAD_CHECKER.equals(record.getLoggerName())) {
          warnings.add(format.format(record));
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger.getLogger("").addHandler(capture);
    try {
      summary = Demo.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    } finally {
      Logger.getLogger("").removeHandler(capture);
    }
    printed = bytes.toString(StandardCharsets.UTF_8);
  }

  /** Its nodes leave the cluster as they should: nothing reads like a failure right before DEMO PASSED. */
  @Test
  void nothingWarnsAndNothingPrintsATrace() {
    assertThat(warnings).isEmpty();
    assertThat(printed).doesNotContain("WARNING", "SEVERE", "Exception", "\tat ");
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

  /** The page a reader opens: every chart is there and drawn, in a real browser, offline. */
  @Test
  void theComparisonPageRendersInABrowser() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    HeadlessChromium.Rendered page = chromium.render(Path.of(summary.page()), 1400, 3400);
    assertThat(page.title()).isEqualTo("Sluice demo: routed vs homogeneous fleet");
    assertThat(page.charts()).containsKeys("ttft-cdf", "latency-cdf", "throughput", "ttft-cdf-pools",
        "routing-split", "misroutes", "calibration", "savings");
    for (String cdf : List.of("ttft-cdf", "latency-cdf", "throughput")) {
      HeadlessChromium.Chart c = page.charts().get(cdf);
      assertThat(c.series()).as(cdf).containsExactly("routed", "homogeneous");
      assertThat(c.drawnLines()).as(cdf).isEqualTo(2);
      assertThat(c.width()).as(cdf).isGreaterThan(300);
    }
    assertThat(page.charts().get("routing-split").series()).anyMatch(s -> s.startsWith("short ("));
    assertThat(page.charts().get("calibration").drawnBars()).isEqualTo(2 * summary.calibration().get(0).size());
    assertThat(page.charts().get("savings").drawnBars()).isGreaterThanOrEqualTo(2);
    // the browser painted both fleets' lines: the routed blue and the homogeneous red of the overlays
    assertThat(page.pixels(0x1f77b4)).isGreaterThan(500);
    assertThat(page.pixels(0xd62728)).isGreaterThan(500);
  }

  /** The two fleets' JSON reports overlaid by {@code ./sluice report}, and that page in a browser. */
  @Test
  void theReportCommandOverlaysBothFleets() throws Exception {
    Path html = out.resolve("overlay.html");
    StringWriter printed = new StringWriter();
    StringWriter errors = new StringWriter();
    int status = Sluice.run(new String[] {"report", summary.routed().reportFile(), summary.homogeneous().reportFile(),
        "--html", html.toString()}, new PrintWriter(printed, true), new PrintWriter(errors, true));
    assertThat(status).as(errors.toString()).isZero();
    assertThat(printed.toString()).contains("routed", "homogeneous", "TTFT p99 ms");
    HeadlessChromium.Rendered page = HeadlessChromium.require().render(html, 1400, 1400);
    assertThat(page.charts().get("ttft-cdf").series()).containsExactly("routed", "homogeneous");
    assertThat(page.charts().get("latency-cdf").drawnLines()).isEqualTo(2);
    Files.delete(html);
  }

  /** A series (stages, several targets or a sweep in one file): each of its runs is one line. */
  @Test
  void theReportCommandDrawsEachRunOfASeries() throws Exception {
    JsonObject first = summary.routed().report().copy();
    JsonObject second = summary.homogeneous().report().copy();
    first.getJsonObject("config").put("label", "target1");
    second.getJsonObject("config").put("label", "target2");
    Path series = Files.writeString(out.resolve("series.json"), new JsonObject()
        .put("schema", "sluice.loadgen.series.v1").put("kind", "targets")
        .put("runs", new io.vertx.core.json.JsonArray().add(first).add(second)).encode());
    StringWriter printed = new StringWriter();
    int status = Sluice.run(new String[] {"report", series.toString()}, new PrintWriter(printed, true),
        new PrintWriter(new StringWriter(), true));
    Files.delete(series);
    assertThat(status).isZero();
    assertThat(printed.toString().lines()).anyMatch(l -> l.startsWith("series target1 "))
        .anyMatch(l -> l.startsWith("series target2 "));
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
