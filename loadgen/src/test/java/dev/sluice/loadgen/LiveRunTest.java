package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.InstantUpstream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the generator against real Vert.x servers on port 0. */
class LiveRunTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long STALL_MILLIS = 800;

  @RegisterExtension
  final TestServers servers = new TestServers();



  private static Buffer[] bodies(boolean stream) throws Exception {
    PromptSynthesizer synth = new PromptSynthesizer(Corpus.load(TestData.corpus(), Corpus.Tokenizer.LLAMA3));
    SplittableRandom random = new SplittableRandom(1);
    Buffer[] bodies = new Buffer[8];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = Buffer.buffer(RequestBody.encode(Api.CHAT, "m", synth.synthesize("prose", 300, random).utf8(), 8, stream));
    }
    return bodies;
  }

  private static LoadSpec spec(int port, boolean stream) {
    return LoadSpec.openLoop("127.0.0.1", port, LoadSpec.DEFAULT_PATH, stream, 4096, 64, 2, 0, 50, 10_000);
  }

  /**
   * A server that holds every response received during the first second of the run for {@value #STALL_MILLIS} ms.
   * A closed-loop generator would stop sending meanwhile; an open-loop one keeps its schedule and sees latency.
   */
  private int stallingServer() {
    long[] firstRequest = {0};
    HttpServer server = servers.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      long now = System.nanoTime();
      if (firstRequest[0] == 0) {
        firstRequest[0] = now;
      }
      Runnable answer = () -> req.response().putHeader("x-sluice-pool", "short")
          .end("{\"choices\":[{\"message\":{\"content\":\"ok\"}}]}");
      if (now - firstRequest[0] < SECOND) {
        servers.vertx().setTimer(STALL_MILLIS, id -> answer.run());
      } else {
        answer.run();
      }
    }));
    return server.listen(0).await().actualPort();
  }

  @Test
  void aStalledServerDoesNotLowerTheSendRate() throws Exception {
    int port = stallingServer();
    ArrivalPlan plan = ArrivalPlan.constant(200, 3 * SECOND, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, false), plan, bodies(false), null).run();
    assertThat(r.sent()).isEqualTo(plan.size());
  }

  @Test
  void aStalledServerShowsUpAsLatency() throws Exception {
    int port = stallingServer();
    ArrivalPlan plan = ArrivalPlan.constant(200, 3 * SECOND, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, false), plan, bodies(false), null).run();
    // the first quarter second of the schedule (50 requests) reached the server inside the stall
    org.HdrHistogram.Histogram latency = r.overall().latency();
    assertThat(latency.getCountBetweenValues(STALL_MILLIS * 1000, latency.getMaxValue())).isGreaterThanOrEqualTo(50);
  }

  @Test
  void withThePacerEveryScheduledRequestIsSentOnce() throws Exception {
    int port = InstantUpstream.deploy(servers.vertx(), 0, 1).await();
    ArrivalPlan plan = ArrivalPlan.constant(500, SECOND, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, false).withPacer(true), plan, bodies(false), null).run();
    assertThat(r.completed()).isEqualTo(plan.size());
  }

  @Test
  void responsesAreGroupedByThePoolHeader() throws Exception {
    int port = stallingServer();
    ArrivalPlan plan = ArrivalPlan.constant(100, SECOND / 2, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, false), plan, bodies(false), null).run();
    assertThat(r.pools().get("short").completed()).isEqualTo(plan.size());
  }

  @Test
  void streamedResponsesYieldInterTokenSamples() throws Exception {
    int port = InstantUpstream.deploy(servers.vertx(), 0, 1).await();
    ArrivalPlan plan = ArrivalPlan.constant(100, SECOND / 2, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, true), plan, bodies(true), null).run();
    // every event after the first is one inter-token sample
    assertThat(r.overall().itl().getTotalCount()).isEqualTo(plan.size() * (InstantUpstream.STREAM_EVENTS - 1L));
  }

  @Test
  void refusedConnectionsAreCountedAsConnectionErrors() throws Exception {
    HttpServer probe = servers.vertx().createHttpServer().requestHandler(req -> req.response().end());
    int port = probe.listen(0).await().actualPort();
    probe.close().await();
    ArrivalPlan plan = ArrivalPlan.constant(50, SECOND / 2, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, false), plan, bodies(false), null).run();
    assertThat(r.errorsByKind()).containsEntry("connection", (long) plan.size());
  }

  @Test
  void reportHasTheDocumentedSchema() throws Exception {
    int port = InstantUpstream.deploy(servers.vertx(), 0, 1).await();
    ArrivalPlan plan = ArrivalPlan.constant(200, SECOND, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, true), plan, bodies(true), null).run();
    JsonObject report = Report.json(r, new JsonObject().put("target", "http://127.0.0.1:" + port)
        .put("sloTtftMs", 50.0));
    assertThat(report.fieldNames()).contains("schema", "sent", "completed", "errors", "blocked", "achievedRate",
        "valid", "latencyMs", "ttftMs", "itlMs", "tpotMs", "sendLagMs", "goodput", "pools", "timeline",
        "errorsByKind");
    for (String metric : new String[] {"latencyMs", "ttftMs", "itlMs", "tpotMs", "sendLagMs"}) {
      assertThat(report.getJsonObject(metric).fieldNames()).as(metric)
          .contains("p50", "p90", "p99", "p999", "max");
    }
  }

  @Test
  void htmlReportIsSelfContained() throws Exception {
    int port = stallingServer();
    ArrivalPlan plan = ArrivalPlan.constant(100, SECOND, 8);
    RunResult r = new LoadRun(servers.client(), spec(port, false), plan, bodies(false), null).run();
    String html = HtmlReport.render(Report.json(r, new JsonObject().put("target", "x")));
    assertThat(html).contains("<svg").doesNotContain("src=").doesNotContain("href=");
  }

}
