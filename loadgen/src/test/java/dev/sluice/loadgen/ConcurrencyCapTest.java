package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --max-concurrency} on top of the open-loop schedule, against a server that holds every request. */
class ConcurrencyCapTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long HOLD_MILLIS = 200;

  @RegisterExtension
  final TestServers servers = new TestServers();



  private static LoadSpec spec(int port) {
    return LoadSpec.openLoop("127.0.0.1", port, LoadSpec.DEFAULT_PATH, false, 4096, 64, 2, 0, 0, 10_000);
  }

  private static io.vertx.core.buffer.Buffer[] bodies() {
    io.vertx.core.buffer.Buffer[] b = new io.vertx.core.buffer.Buffer[4];
    for (int i = 0; i < b.length; i++) {
      b[i] = io.vertx.core.buffer.Buffer.buffer(RequestBody.encode(Api.CHAT, "m", ("prompt " + i).getBytes(), 4, false));
    }
    return b;
  }

  @Test
  void theServerNeverSeesMoreThanTheCapAndTheWaitCountsInLatency() throws Exception {
    TestServers.Holding server = servers.holding(HOLD_MILLIS);
    // 40 requests within 0.2 s; 4 slots of 200 ms each serve 20 per second, so the last waits about 1.6 s
    ArrivalPlan plan = ArrivalPlan.constant(200, SECOND / 5, 4);
    LoadSpec capped = spec(server.port).withMaxConcurrency(4);
    RunResult r = new LoadRun(servers.client(), capped, plan, bodies(), null).run();

    assertThat(server.max.get()).isEqualTo(4);
    assertThat(r.completed()).isEqualTo(40);
    assertThat(r.blocked()).isZero();
    Histogram wait = r.queueWait();
    assertThat(wait.getTotalCount()).as("one queue-wait sample per request").isEqualTo(40);
    assertThat(wait.getMaxValue() / 1000.0).as("ms").isGreaterThan(1_200);
    // the longest wait is followed by the 200 ms hold, and latency counts both from the intended start
    assertThat(r.overall().latency().getMaxValue() - wait.getMaxValue()).isGreaterThanOrEqualTo(
        TimeUnit.MILLISECONDS.toMicros(HOLD_MILLIS) - 20_000);
    assertThat(r.sendLag().getTotalCount()).as("send lag covers the requests that found a free slot")
        .isLessThan(40);
  }

  @Test
  void withoutTheCapTheSameScheduleArrivesAllAtOnce() throws Exception {
    TestServers.Holding server = servers.holding(HOLD_MILLIS);
    ArrivalPlan plan = ArrivalPlan.constant(200, SECOND / 5, 4);
    RunResult r = new LoadRun(servers.client(), spec(server.port), plan, bodies(), null).run();
    assertThat(server.max.get()).isGreaterThan(30);
    assertThat(r.queueWait().getTotalCount()).isZero();
  }

  @Test
  void anUnevenCapIsDrivenFromOneEventLoop() {
    assertThat(spec(1).withMaxConcurrency(3).verticles()).isEqualTo(1);
    assertThat(spec(1).withMaxConcurrency(4).verticles()).isEqualTo(2);
  }

  @Test
  void theTextSummarySaysTheWaitIsInTheLatency() throws Exception {
    TestServers.Holding server = servers.holding(20);
    ArrivalPlan plan = ArrivalPlan.constant(100, SECOND / 5, 4);
    LoadSpec capped = spec(server.port).withMaxConcurrency(2);
    RunResult r = new LoadRun(servers.client(), capped, plan, bodies(), null).run();
    String text = Report.text(Report.json(r, new io.vertx.core.json.JsonObject().put("target", server.url())
        .put("maxConcurrency", 2)));
    assertThat(text).contains("queue wait").contains("include the wait for one of 2 concurrency slots");
  }
}
