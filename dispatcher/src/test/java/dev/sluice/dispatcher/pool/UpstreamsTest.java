package dev.sluice.dispatcher.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;
import dev.sluice.dispatcher.health.EndpointLoad;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pools and endpoints as requests see them: choice, health, admission capacity, spill-over, swaps. */
class UpstreamsTest {
  private static final String S1 = "http://127.0.0.1:1";
  private static final String S2 = "http://127.0.0.1:2";
  private static final String S3 = "http://127.0.0.1:3";
  private static final String L1 = "http://127.0.0.1:4";

  private Vertx vertx;
  private Upstreams upstreams;
  private final DispatcherMetrics metrics = new DispatcherMetrics();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstreams = new Upstreams(vertx, List.of(pool("short", 1000, S1, S2, S3), pool("long", 100_000, L1)),
        new Upstreams.Settings(Timeouts.DEFAULTS,
            OutlierPolicy.DEFAULTS.withEjection(2, 60_000, 120_000).withProbing(0, 500, 0),
            new AdmissionPolicy(4, 0, 0, 1, 5), true, Map.of("long", "k-long"), 2),
        metrics);
  }

  @AfterEach
  void stop() {
    upstreams.close().await();
    vertx.close().await();
  }

  private static PoolConfig pool(String name, int context, String... urls) {
    return new PoolConfig(name, context, Arrays.stream(urls).map(URI::create).toList());
  }

  private Pool shortPool() {
    return upstreams.current().pool("short");
  }

  private Endpoint endpoint(String url) {
    return upstreams.current().pools().stream().flatMap(p -> p.endpoints().stream())
        .filter(e -> e.url().equals(url)).findFirst().orElseThrow();
  }

  private static final long NO_KEY = AffinityKey.NONE;

  /**
   * Without a key, in a pool of up to eight endpoints, the least budget in flight: S2 (idle) against S1 (2,000
   * tokens) and S3 (1,000) every time; once all are idle again, ties are taken from a random start, so each
   * endpoint gets its turn.
   */
  @Test
  void withoutAKeyTheLeastLoadedByBudgetIsChosenAndTiesTakeTurns() {
    endpoint(S1).acquire(1_000);
    endpoint(S1).acquire(1_000);
    endpoint(S3).acquire(1_000);
    Map<String, Integer> picked = new java.util.HashMap<>();
    for (int i = 0; i < 600; i++) {
      picked.merge(shortPool().pick(null, NO_KEY, 100).url(), 1, Integer::sum);
    }
    assertThat(picked).containsOnlyKeys(S2);
    endpoint(S1).release(1_000);
    endpoint(S1).release(1_000);
    endpoint(S3).release(1_000);
    picked.clear();
    for (int i = 0; i < 600; i++) {
      picked.merge(shortPool().pick(null, NO_KEY, 100).url(), 1, Integer::sum);
    }
    assertThat(picked).containsOnlyKeys(S1, S2, S3);
    assertThat(picked.values()).allSatisfy(n -> assertThat(n).isGreaterThan(100));
  }

  /** One 7,000-token request weighs more than three of 200: the fewest requests in flight would say otherwise. */
  @Test
  void aRequestWeighsItsBudgetNotOne() {
    endpoint(S1).acquire(7_000);
    for (int i = 0; i < 3; i++) {
      endpoint(S2).acquire(200);
    }
    endpoint(S3).health().recordProbe(false);
    endpoint(S3).health().recordProbe(false);
    for (int i = 0; i < 20; i++) {
      assertThat(shortPool().pick(null, NO_KEY, 300).url()).isEqualTo(S2);
    }
  }

  /** With {@code routing.load: requests}, the least loaded by requests in flight: the one with a single request. */
  @Test
  void byRequestsTheFewestInFlightWinWhateverTheirSize() {
    Upstreams byRequests = new Upstreams(vertx, List.of(pool("short", 1000, S1, S2, S3)),
        new Upstreams.Settings(Timeouts.DEFAULTS, OutlierPolicy.DEFAULTS.withProbing(0, 500, 0),
            new AdmissionPolicy(4, 0, 0, 1, 5), true, Map.of(), 2,
            new RoutingConfig(false, 1024, 1.25, RoutingConfig.Load.REQUESTS)), new DispatcherMetrics());
    try {
      Pool p = byRequests.current().pool("short");
      p.endpoints().get(0).acquire(7_000);
      for (int i = 0; i < 3; i++) {
        p.endpoints().get(1).acquire(200);
        p.endpoints().get(2).acquire(200);
      }
      for (int i = 0; i < 10; i++) {
        assertThat(p.pick(null, NO_KEY, 300).url()).isEqualTo(S1);
      }
    } finally {
      byRequests.close().await();
    }
  }

  @Test
  void avoidsTheFailedEndpointWhenAnotherExists() {
    Endpoint failed = endpoint(S1);
    for (int i = 0; i < 10; i++) {
      assertThat(shortPool().pick(failed, NO_KEY, 100)).isNotSameAs(failed);
      assertThat(shortPool().pick(failed, KeyHash.of("conversation-" + i), 100)).isNotSameAs(failed);
    }
  }

  @Test
  void aSingleEndpointIsPickedEvenWhenAvoided() {
    Endpoint only = endpoint(L1);
    assertThat(upstreams.current().pool("long").pick(only, NO_KEY, 100)).isSameAs(only);
  }

  /** S2's scrape says 5 requests wait there: each weighs as this request's budget, so idle S3 wins every draw. */
  @Test
  void theScrapedQueueCountsAsLoadAndAnUnavailableEndpointIsNotChosen() {
    long now = System.nanoTime();
    endpoint(S1).health().recordProbe(false);
    endpoint(S1).health().recordProbe(false);
    endpoint(S2).health().publishLoad(new EndpointLoad(8, 5, 0.5, now));
    for (int i = 0; i < 20; i++) {
      assertThat(shortPool().pick(null, NO_KEY, 100).url()).isEqualTo(S3);
    }
  }

  @Test
  void withNothingElseAvailableTheLeastBusyOtherEndpointIsChosen() {
    endpoint(S2).health().recordProbe(false);
    endpoint(S2).health().recordProbe(false);
    endpoint(S3).health().recordProbe(false);
    endpoint(S3).health().recordProbe(false);
    endpoint(S3).acquire(100);
    assertThat(shortPool().pick(endpoint(S1), NO_KEY, 100).url()).isEqualTo(S2);
  }

  /**
   * A key goes to its home every time while the pool is evenly loaded, as a hit; with the home the endpoint its
   * previous try failed on, to the next in its order, as a spill. Both show in sluice_affinity_total.
   */
  @Test
  void aKeyGoesToItsHomeAndSpillsWhenItCannot() {
    long key = KeyHash.of("conversation-7");
    Endpoint home = shortPool().pick(null, key, 100);
    for (int i = 0; i < 5; i++) {
      assertThat(shortPool().pick(null, key, 100)).isSameAs(home);
    }
    Endpoint next = shortPool().pick(home, key, 100);
    assertThat(next).isNotSameAs(home);
    assertThat(shortPool().pick(home, key, 100)).isSameAs(next);
    String scrape = metrics.scrape();
    assertThat(scrape).contains("sluice_affinity_total{pool=\"short\",result=\"hit\"} 6.0")
        .contains("sluice_affinity_total{pool=\"short\",result=\"spill\"} 2.0");
    assertThat(shortPool().affinityShare(home)).isEqualTo(6.0 / 8);
  }

  @Test
  void anEjectedEndpointShrinksItsPoolsCapacity() {
    endpoint(S1).record(FailureKind.UPSTREAM_UNREACHABLE, System.nanoTime());
    endpoint(S1).record(FailureKind.UPSTREAM_UNREACHABLE, System.nanoTime());
    assertThat(endpoint(S1).available(System.nanoTime())).isFalse();
    assertThat(shortPool().admission().capacity()).isEqualTo(8);
  }

  @Test
  void aPoolWithEveryEndpointProbeDownIsRefusedAtAdmission() {
    endpoint(L1).health().recordProbe(false);
    endpoint(L1).health().recordProbe(false);
    Refusal why = (Refusal) upstreams.current().pool("long").admission().acquire().granted().cause();
    assertThat(List.of(why.status(), why.kind(), why.retryAfterSeconds()))
        .containsExactly(503, FailureKind.NO_HEALTHY_UPSTREAM, 5);
  }

  @Test
  void clientErrorsAndBusyAnswersNeverEject() {
    for (int i = 0; i < 100; i++) {
      endpoint(S1).record(FailureKind.ofUpstreamStatus(400), System.nanoTime());
      endpoint(S1).record(FailureKind.UPSTREAM_UNAVAILABLE, System.nanoTime());
      endpoint(S1).record(FailureKind.CONTEXT_LENGTH_EXCEEDED, System.nanoTime());
    }
    assertThat(endpoint(S1).available(System.nanoTime())).isTrue();
  }

  @Test
  void aSaturatedShortPoolSpillsToLong() {
    long now = System.nanoTime();
    for (String url : List.of(S1, S2, S3)) {
      endpoint(url).health().publishLoad(new EndpointLoad(64, 12, 0.9, now));
    }
    assertThat(upstreams.current().all().route(100).name()).isEqualTo("long");
  }

  @Test
  void anIdleShortPoolKeepsItsRequests() {
    assertThat(upstreams.current().all().route(100).name()).isEqualTo("short");
    assertThat(upstreams.current().all().route(5000).name()).isEqualTo("long");
  }

  @Test
  void eachPoolPresentsItsOwnUpstreamKey() {
    assertThat(List.of(String.valueOf(shortPool().upstreamAuthorization()),
        upstreams.current().pool("long").upstreamAuthorization())).containsExactly("null", "Bearer k-long");
  }

  @Test
  void aSwapKeepsUnchangedPoolsAndTheAdmissionOfEveryName() {
    Pool before = shortPool();
    Pool longBefore = upstreams.current().pool("long");
    List<String> changed = upstreams.reconfigure(List.of(pool("short", 1000, S1, S2, S3),
        pool("long", 100_000, L1, "http://127.0.0.1:5")), 0);
    assertThat(changed).containsExactly("long");
    assertThat(shortPool()).isSameAs(before);
    Pool longAfter = upstreams.current().pool("long");
    assertThat(longAfter).isNotSameAs(longBefore);
    assertThat(longAfter.admission()).isSameAs(longBefore.admission());
    assertThat(longAfter.admission().capacity()).isEqualTo(8);
  }

  @Test
  void eachEventLoopGetsItsShareOfTheConnectionLimitsRoundedUp() {
    upstreams.reconfigure(List.of(new PoolConfig("short", 1000, List.of(URI.create(S1)),
        new dev.sluice.dispatcher.config.ClientLimits(5, 0), null)), 0);
    // two event loops in this node's settings
    assertThat(List.of(shortPool().perLoopLimits().getHttp1MaxSize(), shortPool().perLoopLimits().getMaxWaitQueueSize()))
        .containsExactly(3, 0);
  }

  @Test
  void eventLoopsHaveClientsOfTheirOwn() {
    io.vertx.core.internal.ContextInternal a = (io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext();
    io.vertx.core.internal.ContextInternal b = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    assertThat(a.nettyEventLoop()).isNotSameAs(b.nettyEventLoop());
    assertThat(shortPool().client(a)).isSameAs(shortPool().client(a)).isNotSameAs(shortPool().client(b));
  }

  @Test
  void baseUrlPathPrefixesRequestPaths() {
    upstreams.reconfigure(List.of(pool("short", 1000, "https://gpu.example/vllm/")), 0);
    Endpoint e = shortPool().endpoints().get(0);
    assertThat(e.uri("/v1/models") + " " + e.port() + " " + e.ssl()).isEqualTo("/vllm/v1/models 443 true");
  }
}
