package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --target A --target B}: one schedule alternated over both, one report each. */
class TargetsTest {

  @RegisterExtension
  final TestServers servers = new TestServers();



  @Test
  void bothTargetsGetHalfTheScheduleAndTheSameBodies() throws Exception {
    TestServers.Holding a = servers.holding(0);
    TestServers.Holding b = servers.holding(5);
    JsonObject series = Loadgen.run(Loadgen.parse(StagesTest.args(a.url(), "--target", b.url(), "--rate", "200",
        "--duration", "1s")));

    assertThat(series.getString("kind")).isEqualTo("targets");
    JsonArray runs = series.getJsonArray("runs");
    assertThat(runs).hasSize(2);
    for (int t = 0; t < 2; t++) {
      JsonObject run = runs.getJsonObject(t);
      assertThat(run.getJsonObject("config").getString("target")).isEqualTo((t == 0 ? a : b).url());
      assertThat(run.getJsonObject("config").getString("label")).isEqualTo("target" + (t + 1));
      assertThat(run.getJsonObject("config").getDouble("rate")).isEqualTo(100.0);
      assertThat(run.getJsonObject("config").getDouble("rateAllTargets")).isEqualTo(200.0);
      assertThat(run.getLong("scheduled")).isEqualTo(100);
      assertThat(run.getLong("completed")).isEqualTo(100);
      assertThat(run.getDouble("achievedRate")).isEqualTo(100.0);
    }
    assertThat(a.bodies).hasSize(100);
    assertThat(b.bodies).hasSize(100);
    List<String> sentToA = new ArrayList<>(a.bodyList());
    List<String> sentToB = new ArrayList<>(b.bodyList());
    sentToA.sort(null);
    sentToB.sort(null);
    assertThat(sentToA).isEqualTo(sentToB);
  }

  @Test
  void theTargetsAlternateThroughoutTheRun() throws Exception {
    TestServers.Holding a = servers.holding(0);
    TestServers.Holding b = servers.holding(0);
    Loadgen.run(Loadgen.parse(StagesTest.args(a.url(), "--target", b.url(), "--rate", "100", "--duration", "2s")));
    List<Long> arrivalsA = new ArrayList<>(a.arrivals);
    List<Long> arrivalsB = new ArrayList<>(b.arrivals);
    // both see the whole run, not one half of it each: their first and last arrivals are a few gaps apart
    assertThat(Math.abs(arrivalsA.get(0) - arrivalsB.get(0)) / 1e6).isLessThan(100);
    assertThat(Math.abs(arrivalsA.get(arrivalsA.size() - 1) - arrivalsB.get(arrivalsB.size() - 1)) / 1e6)
        .isLessThan(100);
  }
}
