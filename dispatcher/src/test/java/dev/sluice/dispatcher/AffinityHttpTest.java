package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.testkit.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A conversation's turns through a node with three short upstreams: each way of naming it (prompt_cache_key, an
 * x-session-id header, user, or nothing but its opening) keeps every turn on one upstream, and with affinity off
 * the same turns spread. What each endpoint carried shows in /admin/pools and sluice_affinity_total.
 */
class AffinityHttpTest extends TwoPoolHttpFixture {

  private FakeUpstream second;
  private FakeUpstream third;

  private void start(RoutingConfig routing) {
    second = new FakeUpstream(vertx, "short-2").start().await();
    third = new FakeUpstream(vertx, "short-3").start().await();
    extra.add(second);
    extra.add(third);
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, base().withPool(pool("short", SHORT_CONTEXT, shortUp.url(), second.url(), third.url()))
            .withPool(pool("long", LONG_CONTEXT, longUp.url())),
        DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()), metrics, 2,
        ReliabilityConfig.DEFAULTS, routing, AccessLog.OFF).await());
  }

  /** Turn {@code turn} (from 0) of a conversation: its opening, then each earlier question, answer and a new one. */
  private static String turn(String naming, int turn) {
    JsonArray messages = new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "You answer in one line."))
        .add(new JsonObject().put("role", "user").put("content", "Question 0 of " + naming));
    for (int t = 1; t <= turn; t++) {
      messages.add(new JsonObject().put("role", "assistant").put("content", "Answer " + (t - 1)))
          .add(new JsonObject().put("role", "user").put("content", "Question " + t));
    }
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", 10).put("messages", messages);
    return naming.isEmpty() || naming.equals("x-session-id") ? body.encode()
        : body.put(naming, "conversation-a").encode();
  }

  /**
   * Sends a turn once the previous one has left the pool: a client may read the last byte just before the node
   * lets go of the endpoint, and a turn placed in between would see the home busy and spill.
   */
  private int send(String body, String session) {
    Eventually.eventually(() -> livePool("short").endpoints().stream().allMatch(e -> e.budgetInFlight() == 0),
        "the previous turn left the pool");
    return http.send(io.vertx.core.http.HttpMethod.POST, "/v1/chat/completions", body, h -> {
      h.set("content-type", "application/json");
      if (session != null) {
        h.set("x-session-id", session);
      }
    }, null).status();
  }

  /** Which upstreams served the turns sent so far (their received counts grow). */
  private Set<String> servedBy(Runnable turns) {
    int[] before = {shortUp.received.size(), second.received.size(), third.received.size()};
    turns.run();
    Set<String> served = new HashSet<>();
    if (shortUp.received.size() > before[0]) {
      served.add(shortUp.name);
    }
    if (second.received.size() > before[1]) {
      served.add(second.name);
    }
    if (third.received.size() > before[2]) {
      served.add(third.name);
    }
    return served;
  }

  @Test
  void everyWayOfNamingAConversationKeepsItsTurnsOnOneEndpoint() {
    start(RoutingConfig.DEFAULTS);
    for (String naming : List.of("prompt_cache_key", "user")) {
      assertThat(servedBy(() -> {
        for (int t = 0; t < 12; t++) {
          assertThat(send(turn(naming, t), null)).isEqualTo(200);
        }
      })).as(naming).hasSize(1);
    }
    assertThat(servedBy(() -> {
      for (int t = 0; t < 12; t++) {
        // a different opening each turn: only the header names the conversation
        String body = turn("x-session-id", t).replace("You answer", "You answer (" + t + ")");
        assertThat(send(body, "session-9")).isEqualTo(200);
      }
    })).as("x-session-id").hasSize(1);
    assertThat(servedBy(() -> {
      for (int t = 0; t < 12; t++) {
        assertThat(send(turn("", t), null)).isEqualTo(200);
      }
    })).as("the prompt's opening").hasSize(1);
    String metrics = admin.get("/metrics").text();
    assertThat(metrics).contains("sluice_affinity_total{pool=\"short\",result=\"hit\"} 48.0");
    JsonArray endpoints = admin.get("/admin/pools").json().getJsonArray("pools").getJsonObject(0)
        .getJsonArray("endpoints");
    double share = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      JsonObject e = endpoints.getJsonObject(i);
      assertThat(e.getLong("budgetInFlight")).isZero();
      share += e.getDouble("affinityShare");
    }
    assertThat(share).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
  }

  /**
   * With affinity off the same conversation's 30 turns go by load alone (the least loaded, ties from a random
   * start among idle endpoints): more than one endpoint serves them, none counts as a hit.
   */
  @Test
  void withAffinityOffTheTurnsGoByLoadAlone() {
    start(new RoutingConfig(false, 1024, 1.25, RoutingConfig.Load.BUDGET));
    assertThat(servedBy(() -> {
      for (int t = 0; t < 30; t++) {
        assertThat(send(turn("prompt_cache_key", t), null)).isEqualTo(200);
      }
    })).hasSizeGreaterThan(1);
    assertThat(admin.get("/metrics").text()).contains("sluice_affinity_total{pool=\"short\",result=\"none\"} 30.0")
        .contains("sluice_affinity_total{pool=\"short\",result=\"hit\"} 0.0");
  }
}
