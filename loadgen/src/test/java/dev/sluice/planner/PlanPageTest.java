package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.html.HeadlessChromium;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./sluice plan --html}: a page with every threshold the sweep plans, drawn by a real browser. */
class PlanPageTest {

  @Test
  void thePlanPageDrawsInstancesSavingsTtftAndPreemptions(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("plan.html");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Sluice.run(new String[] {"plan", "--cdf", LengthCdfTest.cdf("agent_heavy").toString(), "--rate", "2",
        "--duration", "120", "--oracle", "--html", html.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertThat(status).as(err.toString()).isZero();
    // --html plans every sweep threshold, for the curve; the text says so for each
    assertThat(out.toString()).contains("short pool <= 2,048", "short pool <= 4,096", "short pool <= 8,192",
        "HTML page: ");
    assertThat(Files.readString(html).contains("<script")).as("a script in the page").isFalse();

    HeadlessChromium.Rendered page = HeadlessChromium.require().render(html, 1400, 2400);
    assertThat(page.charts()).containsKeys("instances", "savings", "ttft-short", "ttft-long", "preemptions");
    // 3 thresholds x 2 baselines: a homogeneous bar and a routed short + long stack each
    assertThat(page.charts().get("instances").bars()).isEqualTo(6 * 3);
    assertThat(page.charts().get("instances").drawnBars()).isGreaterThanOrEqualTo(12);
    // per baseline, the simulated savings and the formula, each over the three thresholds
    assertThat(page.charts().get("savings").drawnLines()).isEqualTo(4);
    assertThat(page.charts().get("ttft-short").drawnBars()).isEqualTo(12);
    assertThat(page.charts().get("preemptions").bars()).isEqualTo(12);
    assertThat(page.pixels(0x7f7f7f)).as("the homogeneous grey bars").isGreaterThan(1000);
  }
}
