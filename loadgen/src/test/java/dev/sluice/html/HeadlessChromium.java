package dev.sluice.html;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Loads a page in headless Chromium, as a reader's browser would, and reports what it drew: each chart's size
 * on screen and how many of its lines and bars have a length, measured by the browser's own layout, plus a
 * screenshot. Skips the test when Chromium is not installed, unless {@code SLUICE_REQUIRE_BROWSER} is set (as CI
 * sets it after installing Chromium), in which case its absence fails the test. {@code SLUICE_CHROMIUM} names
 * another binary of the Chromium family.
 */
public final class HeadlessChromium {
  /** Set by CI, which installs Chromium: there a missing browser is a failure, not a skip. */
  static final String REQUIRE = "SLUICE_REQUIRE_BROWSER";
  /** Another browser binary of the Chromium family to use instead of the usual paths. */
  static final String BINARY = "SLUICE_CHROMIUM";
  private static final long TIMEOUT_SECONDS = 120;
  private static final String CHECK = """
      <pre id="sluice-check"></pre><script>
      addEventListener('load', () => {
        const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
          const box = svg.getBoundingClientRect();
          const lines = [...svg.querySelectorAll('polyline.series')];
          const bars = [...svg.querySelectorAll('rect.bar')];
          return {id: svg.dataset.chart, width: box.width, height: box.height, lines: lines.length,
            drawnLines: lines.filter(l => l.getTotalLength() > 0).length,
            series: lines.map(l => l.dataset.series).concat(bars.map(b => b.dataset.series)),
            bars: bars.length, drawnBars: bars.filter(b => b.getBBox().height > 0).length};
        });
        document.getElementById('sluice-check').textContent = JSON.stringify({charts, scripts:
          document.scripts.length, title: document.title});
      });
      </script>""";

  /** What the browser drew for one chart. */
  public record Chart(String id, double width, double height, int lines, int drawnLines, int bars, int drawnBars,
      List<String> series) {
    public int drawn() {
      return drawnLines + drawnBars;
    }
  }

  /** A page as rendered: its charts by {@code data-chart} name and a screenshot. */
  public record Rendered(Map<String, Chart> charts, String title, BufferedImage screenshot) {

    /** Pixels within a few levels of {@code rgb} on the screenshot. */
    public long pixels(int rgb) {
      long n = 0;
      for (int y = 0; y < screenshot.getHeight(); y++) {
        for (int x = 0; x < screenshot.getWidth(); x++) {
          int p = screenshot.getRGB(x, y);
          if (near(p >> 16, rgb >> 16) && near(p >> 8, rgb >> 8) && near(p, rgb)) {
            n++;
          }
        }
      }
      return n;
    }

    private static boolean near(int a, int b) {
      return Math.abs((a & 0xff) - (b & 0xff)) <= 6;
    }
  }

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** The installed Chromium; skips the calling test (or fails it where a browser is required) when there is none. */
  public static HeadlessChromium require() {
    String given = System.getenv(BINARY);
    List<String> candidates = given != null ? List.of(given)
        : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    for (String candidate : candidates) {
      if (Files.isExecutable(Path.of(candidate))) {
        return new HeadlessChromium(Path.of(candidate));
      }
    }
    String reason = "Chromium is not installed (apt-get install -y chromium); the page was written but not rendered";
    if (System.getenv(REQUIRE) != null) {
      Assertions.fail(reason + ", and " + REQUIRE + " is set");
    }
    Assumptions.abort(reason);
    return null;
  }

  /** Renders {@code page} (a copy with a measuring script added; the page itself has none) at the given size. */
  public Rendered render(Path page, int width, int height) throws Exception {
    Path dir = Files.createTempDirectory("sluice-chromium");
    try {
      String html = Files.readString(page);
      for (String outside : List.of("<script", "src=\"http", "href=\"http", "url(http", "@import")) {
        assertThat(html.contains(outside)).as("the page is offline and script-free, yet holds %s", outside).isFalse();
      }
      Path checked = dir.resolve("checked.html");
      Files.writeString(checked, html.replace("</body>", CHECK + "</body>"));
      String dom = run(dir, List.of("--dump-dom", checked.toUri().toString()), width, height);
      int start = dom.indexOf("<pre id=\"sluice-check\">");
      assertThat(start).as("the measuring script ran").isGreaterThanOrEqualTo(0);
      String json = dom.substring(start + "<pre id=\"sluice-check\">".length(), dom.indexOf("</pre>", start));
      JsonObject check = new JsonObject(json.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<")
          .replace("&gt;", ">"));
      Map<String, Chart> charts = new LinkedHashMap<>();
      JsonArray list = check.getJsonArray("charts");
      for (int i = 0; i < list.size(); i++) {
        JsonObject c = list.getJsonObject(i);
        List<String> series = new ArrayList<>();
        c.getJsonArray("series").forEach(s -> series.add(String.valueOf(s)));
        charts.put(c.getString("id"), new Chart(c.getString("id"), c.getDouble("width"), c.getDouble("height"),
            c.getInteger("lines"), c.getInteger("drawnLines"), c.getInteger("bars"), c.getInteger("drawnBars"),
            series));
      }
      Path png = dir.resolve("page.png");
      run(dir, List.of("--screenshot=" + png, page.toUri().toString()), width, height);
      return new Rendered(charts, check.getString("title"), ImageIO.read(png.toFile()));
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Takes a screenshot of {@code page} into {@code png}, for the README. */
  public void screenshot(Path page, Path png, int width, int height) throws Exception {
    Path dir = Files.createTempDirectory("sluice-chromium");
    run(dir, List.of("--screenshot=" + png.toAbsolutePath(), page.toUri().toString()), width, height);
  }

  private String run(Path dir, List<String> what, int width, int height) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + dir.resolve("profile"),
        "--window-size=" + width + "," + height, "--virtual-time-budget=5000"));
    cmd.addAll(what);
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(p.exitValue()).as("chromium: %s", Files.readString(dir.resolve("stderr.txt"))).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }
}
