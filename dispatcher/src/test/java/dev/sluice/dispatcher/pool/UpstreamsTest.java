package dev.sluice.dispatcher.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
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

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstreams = new Upstreams(vertx, List.of(pool("short", 1000, S1, S2, S3), pool("long", 100_000, L1)),
        new Upstreams.Settings(Timeouts.DEFAULTS,
            OutlierPolicy.DEFAULTS.withEjection(2, 60_000, 120_000).withProbing(0, 500, 0),
            new AdmissionPolicy(4, 0, 0, 1, 5), true, Map.of("long", "k-long"), 2),
        new DispatcherMetrics());
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

  @Test
  void picksTheEndpointWithFewestInFlight() {
    endpoint(S1).acquire();
    endpoint(S1).acquire();
    endpoint(S3).acquire();
    assertThat(shortPool().pick(null).url()).isEqualTo(S2);
  }

  @Test
  void equallyBusyEndpointsTakeTurns() {
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picked.add(shortPool().pick(null).url());
    }
    assertThat(picked.subList(0, 3)).doesNotHaveDuplicates().containsExactlyElementsOf(picked.subList(3, 6));
  }

  @Test
  void avoidsTheFailedEndpointWhenAnotherExists() {
    Endpoint failed = endpoint(S1);
    for (int i = 0; i < 10; i++) {
      assertThat(shortPool().pick(failed)).isNotSameAs(failed);
    }
  }

  @Test
  void aSingleEndpointIsPickedEvenWhenAvoided() {
    Endpoint only = endpoint(L1);
    assertThat(upstreams.current().pool("long").pick(only)).isSameAs(only);
  }

  @Test
  void theScrapedQueueCountsAsLoadAndAnUnavailableEndpointIsNotChosen() {
    long now = System.nanoTime();
    endpoint(S1).health().recordProbe(false);
    endpoint(S1).health().recordProbe(false);
    endpoint(S2).health().publishLoad(new EndpointLoad(8, 5, 0.5, now));
    assertThat(shortPool().pick(null).url()).isEqualTo(S3);
  }

  @Test
  void withNothingElseAvailableTheLeastBusyOtherEndpointIsChosen() {
    endpoint(S2).health().recordProbe(false);
    endpoint(S2).health().recordProbe(false);
    endpoint(S3).health().recordProbe(false);
    endpoint(S3).health().recordProbe(false);
    endpoint(S3).acquire();
    assertThat(shortPool().pick(endpoint(S1)).url()).isEqualTo(S2);
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
    assertThat(upstreams.current().route(100).name()).isEqualTo("long");
  }

  @Test
  void anIdleShortPoolKeepsItsRequests() {
    assertThat(upstreams.current().route(100).name()).isEqualTo("short");
    assertThat(upstreams.current().route(5000).name()).isEqualTo("long");
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
