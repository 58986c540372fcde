package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.admin.ManagementConfig;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The management listener apart from the public one: its routes, its keys, what the public listener no longer
 * serves, and {@code /v1/models} behind the API keys, with the pools' upstream keys, cached.
 */
class ManagementHttpTest extends TwoPoolHttpFixture {
  private static final String MANAGEMENT_KEY = "ops-secret";
  private static final String CLIENT_KEY = "client-secret";

  private void startWith(ManagementConfig management, ReliabilityConfig reliability) {
    startNode(NodeConfig.embedded(twoPools(), reliability).withManagement(management));
  }

  private static Http.Reply get(Http on, String path, String key) {
    return on.send(HttpMethod.GET, path, null, h -> {
      if (key != null) {
        h.set("authorization", "Bearer " + key);
      }
    }, null);
  }

  @Test
  void managementRoutesAreServedOnTheManagementListenerOnly() {
    startWith(ManagementConfig.DEFAULTS.withPort(0), ReliabilityConfig.DEFAULTS);
    assertThat(dispatcher.managementPort()).isPositive().isNotEqualTo(dispatcher.port());
    List<Integer> onManagement = new ArrayList<>();
    List<Integer> onPublic = new ArrayList<>();
    for (String path : List.of("/metrics", "/admin/pools", "/admin/cluster", "/admin/calibration")) {
      onManagement.add(admin.get(path).status());
      Http.Reply refused = http.get(path);
      onPublic.add(refused.status());
      assertThat(refused.error().getString("code")).isEqualTo("not_found");
    }
    assertThat(onManagement).containsOnly(200);
    assertThat(onPublic).containsOnly(404);
    // probes work on both
    assertThat(List.of(http.get("/health/live").status(), http.get("/health/ready").status(),
        admin.get("/health/live").status(), admin.get("/health/ready").status())).containsOnly(200);
    // the public 404s are requests like any other: counted
    assertThat(admin.get("/metrics").text()).contains("sluice_requests_total{pool=\"none\",status=\"404\"} 4.0");
    assertThat(admin.get("/nothing/here").status()).isEqualTo(404);
    assertThat(admin.send(HttpMethod.POST, "/metrics", "", h -> { }, null).status()).isEqualTo(405);
  }

  @Test
  void withManagementKeysEveryRouteButTheProbesAsksForOne() {
    startWith(ManagementConfig.DEFAULTS.withPort(0).withKeys(List.of(ApiKeys.sha256Hex(MANAGEMENT_KEY))),
        ReliabilityConfig.DEFAULTS);
    for (String path : List.of("/metrics", "/admin/pools", "/admin/cluster", "/admin/calibration")) {
      Http.Reply none = get(admin, path, null);
      Http.Reply wrong = get(admin, path, "guess");
      assertThat(List.of(none.status(), wrong.status())).as(path).containsOnly(401);
      assertThat(none.error().getString("code")).isEqualTo("invalid_api_key");
      assertThat(get(admin, path, MANAGEMENT_KEY).status()).as(path).isEqualTo(200);
    }
    assertThat(List.of(get(admin, "/health/live", null).status(), get(admin, "/health/ready", null).status()))
        .containsOnly(200);
    Http.Reply drain = admin.send(HttpMethod.POST, "/admin/endpoints/drain",
        new JsonObject().put("endpoint", shortUp.url()).encode(), h -> { }, null);
    assertThat(drain.status()).isEqualTo(401);
    assertThat(endpoint(shortUp.url()).health().drained()).isFalse();
  }

  @Test
  void withApiKeysModelsAsksForOneAndGoesUpstreamWithEachPoolsKey() {
    startWith(ManagementConfig.DEFAULTS.withPort(0), ReliabilityConfig.DEFAULTS
        .withKeys(List.of(new ApiKey("team", ApiKeys.sha256Hex(CLIENT_KEY), 0, 0)))
        .withUpstreamKeys(Map.of("short", "upstream-short")));
    Http.Reply refused = get(http, "/v1/models", null);
    assertThat(List.of(refused.status(), refused.error().getString("code"))).containsExactly(401, "invalid_api_key");
    assertThat(shortUp.modelsAsked).isEmpty();
    Http.Reply models = get(http, "/v1/models", CLIENT_KEY);
    assertThat(models.status()).isEqualTo(200);
    assertThat(models.json().getJsonArray("data")).hasSize(2);
    assertThat(shortUp.modelsAsked).containsExactly("Bearer upstream-short");
    // the client's own key never goes upstream
    assertThat(longUp.modelsAsked).containsExactly("");
  }

  @Test
  void theModelListIsKeptForTheCachePeriodAndSharedByConcurrentRequests() throws Exception {
    startNode(NodeConfig.embedded(twoPools().withModelsCacheMillis(60_000), ReliabilityConfig.DEFAULTS));
    List<Thread> clients = new ArrayList<>();
    List<Integer> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> statuses.add(http.get("/v1/models").status()));
      clients.add(t);
      t.start();
    }
    clients.forEach(TwoPoolHttpFixture::join);
    for (int i = 0; i < 5; i++) {
      statuses.add(http.get("/v1/models").status());
    }
    assertThat(statuses).hasSize(13).containsOnly(200);
    assertThat(List.of(shortUp.modelsAsked.size(), longUp.modelsAsked.size())).containsExactly(1, 1);
  }

  @Test
  void aZeroCachePeriodAsksEveryTime() {
    startNode(NodeConfig.embedded(twoPools().withModelsCacheMillis(0), ReliabilityConfig.DEFAULTS));
    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/v1/models").status()).isEqualTo(200);
    }
    eventually(() -> shortUp.modelsAsked.size() == 3, "each request asks the upstreams");
  }
}
