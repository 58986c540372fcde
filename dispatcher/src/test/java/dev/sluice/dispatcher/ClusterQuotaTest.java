package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.cluster.ClusterConfig;
import dev.sluice.cluster.ClusteredVertx;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Key quotas shared by real clustered nodes on 127.0.0.1: each node a Hazelcast member with its own dispatcher
 * and upstream; the requests of one key spread over the nodes; what the key got in all.
 */
class ClusterQuotaTest {
  private static final String KEY = "sk-tenant";
  /** Fast failure detection, so that a node whose peers vanish finds out within seconds. */
  private static final Map<String, String> FAST = Map.of(
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.max.no.heartbeat.seconds", "5",
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.logging.type", "none");

  /** One node: its clustered Vert.x, upstream, dispatcher and a client towards it. */
  private record Node(Vertx vertx, FakeUpstream upstream, Dispatcher dispatcher, Http http, HttpClient client) {

    /** The node's management listener: /admin/keys. */
    Http admin() {
      return new Http(vertx, client, dispatcher.managementPort());
    }
    void close() {
      try {
        dispatcher.stop().await(20, TimeUnit.SECONDS);
      } catch (Exception | AssertionError e) {
        // a killed member's node stops as it can
      }
      try {
        vertx.close().await(20, TimeUnit.SECONDS);
      } catch (Exception | AssertionError e) {
        // out either way
      }
    }

    void kill() {
      ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance()
          .getLifecycleService().terminate();
    }
  }

  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(Node::close);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void startCluster(int count, ApiKey key) throws Exception {
    String name = "sluice-quota-" + Long.toHexString(System.nanoTime());
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(freePort());
    }
    List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    for (int port : ports) {
      ClusterConfig config = ClusterConfig.defaults().withMembership(name, "127.0.0.1", port, seeds)
          .withEntryTtl(Duration.ofSeconds(3)).withCallTimeout(Duration.ofSeconds(1)).withHazelcastProperties(FAST);
      Vertx vertx = ClusteredVertx.start(config).await(60, TimeUnit.SECONDS);
      FakeUpstream upstream = new FakeUpstream(vertx, "up-" + port).start().await();
      DispatcherConfig dispatcher = DispatcherConfig.defaults().withHost("127.0.0.1").withPort(0)
          .withDefaultOutputReserve(256)
          .withPool(new PoolConfig("short", 100_000, List.of(URI.create(upstream.url()))));
      ReliabilityConfig reliability = ReliabilityConfig.DEFAULTS
          .withHealth(OutlierPolicy.DEFAULTS.withProbing(0, 500, 0)).withKeys(List.of(key));
      DispatcherMetrics metrics = new DispatcherMetrics();
      Dispatcher d = Dispatcher.start(vertx, dispatcher, DispatcherHooks.calibrating(CalibrationParams.defaults(),
          metrics.registry()), metrics, 1, reliability).await(30, TimeUnit.SECONDS);
      HttpClient client = vertx.createHttpClient();
      nodes.add(new Node(vertx, upstream, d, new Http(vertx, client, d.port()), client));
    }
    eventually(() -> nodes.stream().allMatch(n -> members(n) == count), "every node sees " + count + " members",
        Duration.ofSeconds(60));
  }

  private static int members(Node n) {
    return ((HazelcastClusterManager) ((VertxInternal) n.vertx()).clusterManager()).getHazelcastInstance()
        .getCluster().getMembers().size();
  }

  private static Http.Reply post(Node n, int maxTokens) {
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", maxTokens)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    return n.http().send(HttpMethod.POST, "/v1/chat/completions", body.encode(),
        h -> h.set("content-type", "application/json").set("authorization", "Bearer " + KEY), null);
  }

  /** Sends {@code count} requests round-robin over {@code over}; returns how many were answered 200. */
  private static int[] spread(List<Node> over, int count, int maxTokens) {
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < count; i++) {
      Http.Reply r = post(over.get(i % over.size()), maxTokens);
      if (r.status() == 200) {
        ok++;
      } else {
        assertThat(r.status() + " " + r.error().getString("code")).isEqualTo("429 rate_limit_exceeded");
        limited++;
      }
    }
    return new int[] {ok, limited};
  }

  @Test
  void threeNodesTogetherKeepAKeyToItsSixtyRequestsAMinute() throws Exception {
    startCluster(3, new ApiKey("tenant", ApiKeys.sha256Hex(KEY), 60, 0));
    long start = System.nanoTime();
    int[] outcome = spread(nodes, 180, 10);
    double seconds = (System.nanoTime() - start) / 1e9;
    int served = nodes.stream().mapToInt(n -> n.upstream().received.size()).sum();
    System.out.printf("quota: 3 nodes, 60/min, 180 sent in %.1f s: %d accepted, %d refused%n", seconds, outcome[0],
        outcome[1]);
    // the minute's 60 at once, plus what the bucket refills while the requests go (one a second), plus at most a
    // chunk of units each node may hold leased (60 / (8 × 3) = 2)
    assertThat(outcome[0]).isLessThanOrEqualTo(60 + (int) Math.ceil(seconds) + 3 * 2);
    assertThat(outcome[0]).as("the cluster does not starve the key either").isGreaterThanOrEqualTo(50);
    assertThat(served).isEqualTo(outcome[0]);
    assertThat(outcome[0] + outcome[1]).isEqualTo(180);
    // one node alone would have let through its own 60
    assertThat(nodes.stream().filter(n -> n.upstream().received.size() > 0).count()).isEqualTo(3);
  }

  @Test
  void theTokenQuotaIsChargedOnTheBudgetAndCorrectedToTheUsageAcrossNodes() throws Exception {
    startCluster(2, new ApiKey("tenant", ApiKeys.sha256Hex(KEY), 0, 3_000));
    // each request reserves 610-odd tokens and uses 16: on budgets alone the minute would hold four of them
    int[] outcome = spread(nodes, 20, 600);
    assertThat(outcome[0]).isEqualTo(20);
    JsonObject keys = nodes.get(0).admin().get("/admin/keys").json();
    JsonObject tenant = keys.getJsonArray("keys").getJsonObject(0);
    assertThat(tenant.getString("name")).isEqualTo("tenant");
    assertThat(tenant.getString("scope")).isEqualTo("cluster");
    long used = tenant.getJsonObject("tokens").getLong("used");
    // what the cluster's bucket gave out: every request's 16 tokens, and what the nodes still hold leased
    assertThat(used).isBetween(20L * 16, 3_000L);
  }

  @Test
  void aNodeWhosePeersAreGoneKeepsToItsShare() throws Exception {
    startCluster(2, new ApiKey("tenant", ApiKeys.sha256Hex(KEY), 60, 0));
    Node alone = nodes.get(0);
    Node gone = nodes.get(1);
    gone.kill();
    eventually(() -> members(alone) == 1, "the node finds itself alone", Duration.ofSeconds(30));
    long start = System.nanoTime();
    int[] outcome = spread(List.of(alone), 60, 10);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("quota: node cut off from 1 of 2, 60/min, 60 sent in %.1f s: %d accepted%n", seconds,
        outcome[0]);
    // its share: half the minute's 60, plus half the refill
    assertThat(outcome[0]).isLessThanOrEqualTo(30 + (int) Math.ceil(seconds / 2));
    assertThat(outcome[0]).isGreaterThanOrEqualTo(25);
    JsonObject tenant = alone.admin().get("/admin/keys").json().getJsonArray("keys").getJsonObject(0);
    assertThat(tenant.getString("scope")).isEqualTo("share");
  }
}
