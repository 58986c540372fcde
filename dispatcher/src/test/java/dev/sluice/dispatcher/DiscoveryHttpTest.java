package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.pool.DiscoveryConfig;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS discovery with real sockets: a DNS server inside the test answers changing records for the short pool's
 * replicas, each on a loopback address of its own (127.0.0.2, 127.0.0.3, 127.0.0.4) and one port, as a headless
 * Service's pods would be.
 */
class DiscoveryHttpTest extends TwoPoolHttpFixture {
  private static final String NAME = "vllm-short";
  private static final String[] ADDRESSES = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};

  private FakeDns dns;
  /** The short pool's replicas, by address; all on {@link #replicaPort}. */
  private final List<FakeUpstream> replicas = new ArrayList<>();
  private int replicaPort;

  @BeforeEach
  void startDnsAndReplicas() throws Exception {
    dns = new FakeDns();
    for (int attempt = 0; replicas.isEmpty() && attempt < 5; attempt++) {
      try {
        FakeUpstream first = new FakeUpstream(vertx, "r2").start(vertx.createHttpServer(), ADDRESSES[0], 0).await();
        replicas.add(first);
        replicaPort = first.port();
        for (int i = 1; i < ADDRESSES.length; i++) {
          replicas.add(new FakeUpstream(vertx, "r" + (i + 2))
              .start(vertx.createHttpServer(), ADDRESSES[i], replicaPort).await());
        }
      } catch (RuntimeException taken) {
        replicas.forEach(r -> r.close().await());
        replicas.clear();
      }
    }
    assertThat(replicas).as("three replicas on one port").hasSize(3);
    extra.addAll(replicas);
  }

  @AfterEach
  void stopDns() {
    dns.close();
  }

  /** A node whose short pool is {@code dns+http://vllm-short:PORT}, looked up every 100 ms from the test's server. */
  private void startDiscovering() {
    startNode(NodeConfig.embedded(base().withPool(pool("short", SHORT_CONTEXT, "dns+http://" + NAME + ":" + replicaPort))
            .withPool(pool("long", LONG_CONTEXT, longUp.url())), ReliabilityConfig.DEFAULTS)
        .withDiscovery(DiscoveryConfig.DEFAULTS.withDnsServers(List.of(dns.address()))
            .withDnsRefresh(Duration.ofMillis(100)).withDnsTimeout(Duration.ofMillis(300))));
  }

  private List<String> shortEndpoints() {
    List<String> urls = new ArrayList<>();
    livePool("short").endpoints().forEach(e -> urls.add(e.url()));
    return urls;
  }

  private String url(int replica) {
    return "http://" + ADDRESSES[replica] + ":" + replicaPort;
  }

  private double discoveryFailures() {
    Matcher m = Pattern.compile("sluice_discovery_failures_total\\{pool=\"short\"} ([0-9.]+)")
        .matcher(admin.get("/metrics").text());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void requestsSpreadOverEveryResolvedEndpoint() {
    dns.set(NAME, ADDRESSES);
    startDiscovering();
    JsonArray listed = admin.get("/admin/pools").json().getJsonArray("pools").getJsonObject(0).getJsonArray("endpoints");
    List<String> urls = new ArrayList<>();
    List<String> origins = new ArrayList<>();
    for (int i = 0; i < listed.size(); i++) {
      urls.add(listed.getJsonObject(i).getString("url"));
      origins.add(listed.getJsonObject(i).getString("discoveredFrom"));
    }
    assertThat(urls).containsExactlyInAnyOrder(url(0), url(1), url(2));
    assertThat(origins).containsOnly("dns+http://" + NAME + ":" + replicaPort);
    // distinct conversations: the same prompt again would go to its affinity home each time
    for (int i = 0; i < 30; i++) {
      assertThat(http.post("/v1/chat/completions", chatBody("hi " + i, false)).status()).isEqualTo(200);
    }
    assertThat(replicas).allSatisfy(r -> assertThat(r.received).as(r.name).isNotEmpty());
    assertThat(replicas.stream().mapToInt(r -> r.received.size()).sum()).isEqualTo(30);
  }

  @Test
  void anAddressThatAppearsJoinsThePool() {
    dns.set(NAME, ADDRESSES[0]);
    startDiscovering();
    assertThat(shortEndpoints()).containsExactly(url(0));
    dns.set(NAME, ADDRESSES[0], ADDRESSES[1]);
    eventually(() -> shortEndpoints().size() == 2, "the second replica joins");
    // distinct conversations, so that their affinity homes fall on both replicas
    for (int i = 0; i < 10; i++) {
      http.post("/v1/chat/completions", chatBody("hi " + i, false));
    }
    assertThat(replicas.get(1).received).isNotEmpty();
  }

  @Test
  void aRecordRemovedMidRunLosesNoRequestAndItsEndpointTakesNoNewOnes() {
    dns.set(NAME, ADDRESSES);
    replicas.forEach(r -> r.behavior = (self, req, body) -> self.stream(req.response(), FakeUpstream.events(self.name, 10),
        40, true));
    startDiscovering();
    Pool before = livePool("short");
    List<Http.Reply> replies = new CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Thread t = new Thread(() -> replies.add(http.post("/v1/chat/completions", chatBody("hi", true))));
      clients.add(t);
      t.start();
    }
    FakeUpstream leaving = replicas.get(2);
    eventually(() -> leaving.received.size() >= 2, "the third replica has streams in flight");
    dns.set(NAME, ADDRESSES[0], ADDRESSES[1]);
    eventually(() -> shortEndpoints().size() == 2, "the removed record leaves the pool");
    Pool after = livePool("short");
    // the pool kept its client and admission, and the endpoints that stayed kept their objects
    io.vertx.core.internal.ContextInternal loop = (io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext();
    assertThat(after.client(loop)).isSameAs(before.client(loop));
    assertThat(after.admission()).isSameAs(before.admission());
    assertThat(after.endpoints()).containsOnly(before.endpoints().get(0), before.endpoints().get(1))
        .doesNotContain(before.endpoints().get(2));
    int onLeaving = leaving.received.size();
    clients.forEach(TwoPoolHttpFixture::join);
    assertThat(replies).hasSize(12).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.failure()).isNull();
      assertThat(r.text()).endsWith("data: [DONE]\n\n");
    });
    assertThat(leaving.closedEarly.get()).isZero();
    for (int i = 0; i < 12; i++) {
      assertThat(http.post("/v1/chat/completions", chatBody("hi", false)).status()).isEqualTo(200);
    }
    assertThat(leaving.received).hasSize(onLeaving);
  }

  @Test
  void aFailedLookupKeepsTheLastAddressesAndIsCounted() {
    dns.set(NAME, ADDRESSES[0], ADDRESSES[1]);
    startDiscovering();
    assertThat(shortEndpoints()).hasSize(2);
    assertThat(admin.get("/metrics").text()).contains("sluice_discovery_failures_total{pool=\"short\"} 0.0")
        .doesNotContain("sluice_discovery_failures_total{pool=\"long\"}");
    // a server that does not answer
    dns.silent = true;
    int asked = dns.queries();
    eventually(() -> discoveryFailures() >= 2 && dns.queries() > asked + 4, "lookups time out and are counted");
    assertThat(shortEndpoints()).containsExactlyInAnyOrder(url(0), url(1));
    assertThat(http.post("/v1/chat/completions", chatBody("hi", false)).status()).isEqualTo(200);
    // a name with no records
    double failed = discoveryFailures();
    dns.set(NAME);
    dns.silent = false;
    eventually(() -> discoveryFailures() >= failed + 2, "NXDOMAIN is counted");
    assertThat(shortEndpoints()).containsExactlyInAnyOrder(url(0), url(1));
    assertThat(http.post("/v1/chat/completions", chatBody("hi", false)).status()).isEqualTo(200);
    // and back
    dns.set(NAME, ADDRESSES[2]);
    eventually(() -> shortEndpoints().equals(List.of(url(2))), "the answer is taken again");
  }

  @Test
  void aNameWithNoRecordsAtStartLeavesThePoolEmptyUntilItResolves() {
    startDiscovering();
    assertThat(shortEndpoints()).isEmpty();
    Http.Reply refused = http.post("/v1/chat/completions", chatBody("hi", false));
    assertThat(List.of(refused.status(), refused.error().getString("code"))).containsExactly(503, "no_healthy_upstream");
    dns.set(NAME, ADDRESSES[1]);
    eventually(() -> shortEndpoints().size() == 1, "the record arrives");
    assertThat(http.post("/v1/chat/completions", chatBody("hi", false)).status()).isEqualTo(200);
  }

  @Test
  void recordsThatFlapEveryRefreshServeEveryRequest() throws Exception {
    dns.set(NAME, ADDRESSES[0], ADDRESSES[1]);
    startDiscovering();
    Thread flapper = new Thread(() -> {
      for (int i = 0; i < 40 && !Thread.currentThread().isInterrupted(); i++) {
        if (i % 2 == 0) {
          dns.set(NAME, ADDRESSES[1], ADDRESSES[2]);
        } else {
          dns.set(NAME, ADDRESSES[0], ADDRESSES[1]);
        }
        try {
          Thread.sleep(60);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    flapper.start();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      statuses.add(http.post("/v1/chat/completions", chatBody("hi " + i, false)).status());
    }
    flapper.interrupt();
    flapper.join();
    assertThat(statuses).containsOnly(200);
    // each conversation goes to its home among the replicas listed at that moment: more than one served
    assertThat(replicas.stream().filter(r -> !r.received.isEmpty()).count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void thePoolFlagTakesADnsUrlAndRepeatedDnsServersAreTriedInTurn() throws Exception {
    dns.set(NAME, ADDRESSES);
    // the first server answers nothing at all: its lookups time out and the second is asked
    try (FakeDns mute = new FakeDns()) {
      mute.silent = true;
      DispatcherMain.Node node = DispatcherMain.start(new String[] {"--host", "127.0.0.1", "--port", "0",
          "--management-port", "0", "--pool", "short=8192@dns+http://" + NAME + ":" + replicaPort,
          "--dns-server", mute.address(), "--dns-server", dns.address()},
          Map.of("SLUICE_ACCESS_LOG_ENABLED", "false", "SLUICE_DISCOVERY_DNS_TIMEOUT_MS", "300")).await();
      try {
        assertThat(node.dispatcher().upstreams().current().pool("short").size()).isEqualTo(3);
        assertThat(mute.queries()).isPositive();
        Http.Reply reply = new Http(vertx, client, node.dispatcher().port()).post("/v1/chat/completions",
            chatBody("hi", false));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().getString("served_by")).startsWith("r");
      } finally {
        node.close();
      }
    }
  }

  @Test
  void adminPoolsSaysWhereEachEndpointCameFrom() {
    dns.set(NAME, ADDRESSES[0]);
    startDiscovering();
    JsonObject shortPool = admin.get("/admin/pools").json().getJsonArray("pools").getJsonObject(0);
    assertThat(shortPool.getJsonArray("configured").getList()).containsExactly("dns+http://" + NAME + ":" + replicaPort);
    JsonObject only = shortPool.getJsonArray("endpoints").getJsonObject(0);
    assertThat(List.of(only.getString("url"), only.getString("address"), only.getString("discoveredFrom")))
        .containsExactly(url(0), ADDRESSES[0] + ":" + replicaPort, "dns+http://" + NAME + ":" + replicaPort);
    JsonObject longPool = admin.get("/admin/pools").json().getJsonArray("pools").getJsonObject(1);
    assertThat(longPool.getJsonArray("endpoints").getJsonObject(0).containsKey("discoveredFrom")).isFalse();
  }
}
