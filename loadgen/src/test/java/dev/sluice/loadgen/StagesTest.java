package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code --stages}: rates back to back in one schedule, one report per stage. */
class StagesTest {

  private static final long SECOND = 1_000_000_000L;

  @TempDir
  Path dir;
  @RegisterExtension
  final TestServers servers = new TestServers();



  static String[] args(String target, String... extra) {
    String[] base = {"--target", target, "--model", "m", "--tokenizer", "cl100k", "--corpus",
        TestData.corpus().toString(), "--prompt-tokens", "40", "--bodies", "16", "--verticles", "2",
        "--no-progress"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void parsesRatesAndDurations() {
    assertThat(Loadgen.parseStages("10:30s, 2.5:1m")).containsExactly(new Loadgen.StageSpec(10, 30 * SECOND),
        new Loadgen.StageSpec(2.5, 60 * SECOND));
  }

  @Test
  void eachStageHoldsItsRateInItsOwnWindow() throws Exception {
    Loadgen.Prepared p = Loadgen.prepare(Loadgen.parse(args("http://127.0.0.1:9", "--stages", "50:1s,100:1s",
        "--warmup", "500ms")));
    List<RunLayout.Stage> stages = p.layout().stages();
    assertThat(stages).containsExactly(new RunLayout.Stage(50, SECOND / 2, SECOND),
        new RunLayout.Stage(100, 3 * SECOND / 2, SECOND));
    long[] t = p.plan().offsetsNanos();
    assertThat(p.plan().countBefore(3 * SECOND / 2) - p.plan().countBefore(SECOND / 2)).isEqualTo(50);
    assertThat(t.length - p.plan().countBefore(3 * SECOND / 2)).isEqualTo(100);
    assertThat(t[t.length - 1]).isLessThan(5 * SECOND / 2);
    assertThat(t).isSorted();
  }

  @Test
  void oneReportPerStageCountsExactlyItsOwnRequests() throws Exception {
    TestServers.Holding server = servers.holding(0);
    Path report = dir.resolve("stages.json");
    Path records = dir.resolve("stages.csv");
    JsonObject series = Loadgen.run(Loadgen.parse(args(server.url(), "--stages", "50:1s,100:1s", "--warmup",
        "500ms", "--report", report.toString(), "--records", records.toString())));

    assertThat(series.getString("schema")).isEqualTo(Loadgen.SERIES_SCHEMA);
    assertThat(series.getString("kind")).isEqualTo("stages");
    JsonArray runs = new JsonObject(Files.readString(report)).getJsonArray("runs");
    assertThat(runs).hasSize(2);
    JsonObject first = runs.getJsonObject(0);
    JsonObject second = runs.getJsonObject(1);
    assertThat(first.getJsonObject("config").getInteger("stage")).isEqualTo(1);
    assertThat(first.getJsonObject("config").getDouble("rate")).isEqualTo(50.0);
    assertThat(first.getLong("scheduled")).isEqualTo(50);
    assertThat(first.getLong("completed")).isEqualTo(50);
    assertThat(first.getDouble("achievedRate")).isEqualTo(50.0);
    assertThat(second.getJsonObject("config").getInteger("stage")).isEqualTo(2);
    assertThat(second.getLong("scheduled")).isEqualTo(100);
    assertThat(second.getLong("completed")).isEqualTo(100);
    assertThat(second.getDouble("achievedRate")).isEqualTo(100.0);

    // the records put every measured request of stage 2 at or after its start (1.5 s), and stage 1's before it
    List<String> rows = Files.readAllLines(records);
    assertThat(rows.get(0)).isEqualTo(RequestLog.HEADER.strip());
    int stage1 = 0;
    int stage2 = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] c = row.split(",", -1);
      double intended = Double.parseDouble(c[6]);
      double sent = Double.parseDouble(c[7]);
      if (c[5].equals("false")) {
        assertThat(intended).isLessThan(500);
        continue;
      }
      assertThat(c[11]).isEqualTo("ok");
      if (c[2].equals("1")) {
        stage1++;
        assertThat(intended).isBetween(500.0, 1500.0);
      } else {
        stage2++;
        assertThat(intended).isBetween(1500.0, 2500.0);
        assertThat(sent).isGreaterThanOrEqualTo(1500.0);
      }
    }
    assertThat(stage1).isEqualTo(50);
    assertThat(stage2).isEqualTo(100);
  }
}
