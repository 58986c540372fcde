package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.config.ClientLimits;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/endpoints/drain} and {@code /undrain}: what an operator does before rolling a vLLM instance.
 * A drained endpoint takes no new request, finishes the ones it has, says so in {@code /admin/pools}, and stays
 * drained across a reload until undrained.
 */
class DrainEndpointHttpTest extends TwoPoolHttpFixture {
  private FakeUpstream second;

  @BeforeEach
  void secondShortReplica() {
    second = new FakeUpstream(vertx, "short-2").start().await();
    extra.add(second);
  }

  private DispatcherConfig config() {
    return base().withPool(pool("short", SHORT_CONTEXT, shortUp.url(), second.url()))
        .withPool(pool("long", LONG_CONTEXT, longUp.url()));
  }

  private Http.Reply post(String path, String endpoint) {
    return admin.send(HttpMethod.POST, path, new JsonObject().put("endpoint", endpoint).encode(),
        h -> h.set("content-type", "application/json"), null);
  }

  private JsonObject listed(String url) {
    var endpoints = admin.get("/admin/pools").json().getJsonArray("pools").getJsonObject(0).getJsonArray("endpoints");
    for (int i = 0; i < endpoints.size(); i++) {
      if (endpoints.getJsonObject(i).getString("url").equals(url)) {
        return endpoints.getJsonObject(i);
      }
    }
    throw new AssertionError(url + " not in /admin/pools");
  }

  @Test
  void aDrainedEndpointFinishesWhatItHasAndTakesNothingNew() {
    startNode(NodeConfig.embedded(config(), ReliabilityConfig.DEFAULTS));
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events("short", 10), 40, true);
    second.behavior = shortUp.behavior;
    Http.Reply[] inFlight = new Http.Reply[1];
    Thread stream = new Thread(() -> inFlight[0] = http.post("/v1/chat/completions", chatBody("hi", true)));
    stream.start();
    eventually(() -> shortUp.received.size() + second.received.size() == 1, "a stream in flight");
    FakeUpstream busy = shortUp.received.size() == 1 ? shortUp : second;
    FakeUpstream other = busy == shortUp ? second : shortUp;
    shortUp.behavior = FakeUpstream::openAi;
    second.behavior = FakeUpstream::openAi;
    String address = URI.create(busy.url()).getAuthority();

    Http.Reply drained = post("/admin/endpoints/drain", address);
    assertThat(drained.status()).isEqualTo(200);
    assertThat(drained.json().getBoolean("drained")).isTrue();
    assertThat(drained.json().getJsonArray("endpoints").getJsonObject(0).getString("url")).isEqualTo(busy.url());
    assertThat(listed(busy.url()).getBoolean("drained")).isTrue();
    assertThat(listed(busy.url()).getJsonObject("health").getBoolean("available")).isFalse();

    for (int i = 0; i < 6; i++) {
      assertThat(http.post("/v1/chat/completions", chatBody("hi", false)).status()).isEqualTo(200);
    }
    assertThat(busy.received).hasSize(1);
    assertThat(other.received).hasSize(6);
    join(stream);
    assertThat(inFlight[0].status()).isEqualTo(200);
    assertThat(inFlight[0].text()).endsWith("data: [DONE]\n\n");
    assertThat(busy.closedEarly.get()).isZero();

    // undrained by its URL, the form /admin/pools lists
    assertThat(post("/admin/endpoints/undrain", busy.url()).json().getBoolean("drained")).isFalse();
    assertThat(listed(busy.url()).getBoolean("drained")).isFalse();
    for (int i = 0; i < 6; i++) {
      http.post("/v1/chat/completions", chatBody("hi", false));
    }
    assertThat(busy.received.size()).isGreaterThan(1);
  }

  @Test
  void drainingEveryEndpointOfAPoolRefusesItsRequests() {
    startNode(NodeConfig.embedded(config(), ReliabilityConfig.DEFAULTS));
    post("/admin/endpoints/drain", shortUp.url());
    post("/admin/endpoints/drain", second.url());
    Http.Reply refused = http.post("/v1/chat/completions", chatBody("hi", false));
    assertThat(List.of(refused.status(), refused.error().getString("code"))).containsExactly(503, "no_healthy_upstream");
    assertThat(shortUp.received.size() + second.received.size()).isZero();
  }

  @Test
  void aDrainOutlivesAReloadThatRebuildsThePool() {
    startNode(NodeConfig.embedded(config(), ReliabilityConfig.DEFAULTS));
    post("/admin/endpoints/drain", shortUp.url());
    PoolConfig rebuilt = new PoolConfig("short", SHORT_CONTEXT, List.of(URI.create(shortUp.url()),
        URI.create(second.url())), new ClientLimits(64, 16), null);
    dispatcher.reload(config().withPool(rebuilt));
    assertThat(livePool("short").config().limits().maxConnectionsPerEndpoint()).isEqualTo(64);
    assertThat(endpoint(shortUp.url()).health().drained()).isTrue();
    for (int i = 0; i < 4; i++) {
      http.post("/v1/chat/completions", chatBody("hi", false));
    }
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void badDrainRequestsAreAnsweredInTheApisErrorShape() {
    startNode(NodeConfig.embedded(config(), ReliabilityConfig.DEFAULTS));
    Http.Reply unknown = post("/admin/endpoints/drain", "10.9.9.9:8000");
    assertThat(List.of(unknown.status(), unknown.error().getString("code"), unknown.error().getString("param")))
        .containsExactly(404, "not_found", "endpoint");
    Http.Reply garbage = admin.send(HttpMethod.POST, "/admin/endpoints/drain", "not json", h -> { }, null);
    assertThat(List.of(garbage.status(), garbage.error().getString("code"))).containsExactly(400, "invalid_request");
    Http.Reply tooLong = admin.send(HttpMethod.POST, "/admin/endpoints/drain", "x".repeat(5000), h -> { }, null);
    assertThat(tooLong.status()).isEqualTo(413);
    Http.Reply wrongMethod = admin.get("/admin/endpoints/drain");
    assertThat(List.of(wrongMethod.status(), wrongMethod.header("allow"))).containsExactly(405, "POST");
    assertThat(endpoint(shortUp.url()).health().drained()).isFalse();
  }
}
