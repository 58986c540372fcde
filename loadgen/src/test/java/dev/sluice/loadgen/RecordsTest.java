package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --records}: one CSV row per scheduled request, whatever became of it. */
class RecordsTest {

  @RegisterExtension
  final TestServers servers = new TestServers();



  @Test
  void everyScheduledRequestHasARowWithItsOutcome() throws Exception {
    TestServers.Holding server = servers.holding(300);
    // 10 requests within 0.2 s, at most 2 in flight: 2 answered, 8 blocked
    ArrivalPlan plan = ArrivalPlan.constant(50, 200_000_000L, 3);
    LoadSpec spec = LoadSpec.openLoop("127.0.0.1", server.port, LoadSpec.DEFAULT_PATH, false, 2, 8, 2, 0, 0, 10_000)
        .withRecords(true);
    Buffer[] buffers = new Buffer[3];
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = Buffer.buffer(RequestBody.encode(Api.CHAT, "m", ("p" + i).getBytes(), 7, false));
    }
    Bodies bodies = new Bodies(buffers, new int[] {11, 12, 13}, new int[] {7, 7, 7});
    LoadRun run = new LoadRun(servers.client(), spec, plan, bodies, RunLayout.single(1, 50, 0, 2), null);
    RunResult r = run.runGroups().get(0);
    StringBuilder csv = new StringBuilder(RequestLog.HEADER);
    run.writeRecords(csv, "run");

    List<String> rows = csv.toString().lines().toList();
    assertThat(rows).hasSize(1 + plan.size());
    int columns = rows.get(0).split(",").length;
    Map<String, Integer> outcomes = new HashMap<>();
    for (String row : rows.subList(1, rows.size())) {
      String[] c = row.split(",", -1);
      assertThat(c).hasSize(columns);
      outcomes.merge(c[11], 1, Integer::sum);
      int body = Integer.parseInt(c[4]);
      assertThat(c[14]).isEqualTo(Integer.toString(11 + body));
      assertThat(c[15]).isEqualTo("7");
      if (c[11].equals("ok")) {
        assertThat(c[12]).isEqualTo("200");
        assertThat(Double.parseDouble(c[10])).as("latency from the intended start").isGreaterThanOrEqualTo(299);
      }
    }
    assertThat(outcomes).containsEntry("ok", (int) r.completed()).containsEntry("blocked", (int) r.blocked());
    assertThat(r.completed() + r.blocked()).isEqualTo(plan.size());
    assertThat(r.overall().inputTokens()).as("prompt tokens of the completed requests").isBetween(
        11 * r.completed(), 13 * r.completed());
  }
}
