package dev.sluice.dispatcher.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.admission.AdmissionRejected;
import dev.sluice.dispatcher.health.EndpointLoad;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.health.UpstreamFault;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReliabilityTest {

  private static final String S1 = "http://127.0.0.1:1";
  private static final String S2 = "http://127.0.0.1:2";
  private static final String L1 = "http://127.0.0.1:3";

  private Vertx vertx;
  private Reliability reliability;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Map<String, List<String>> pools = new LinkedHashMap<>();
    pools.put("short", List.of(S1, S2));
    pools.put("long", List.of(L1));
    ReliabilityConfig config = ReliabilityConfig.DEFAULTS
        .withHealth(OutlierPolicy.DEFAULTS.withEjection(2, 60_000, 120_000).withProbing(0, 500, 0))
        .withAdmission(new AdmissionPolicy(4, 0, 0, 1, 5))
        .withSpillOver(true);
    reliability = new Reliability(vertx, pools, config).start();
  }

  @AfterEach
  void stop() {
    reliability.stop().await();
    vertx.close().await();
  }

  @Test
  void anEjectedEndpointShrinksItsPoolsCapacity() {
    reliability.upstreamFault(S1, UpstreamFault.CONNECT_FAILURE);
    reliability.upstreamFault(S1, UpstreamFault.CONNECT_FAILURE);
    assertThat(reliability.available(S1)).isFalse();
    assertThat(reliability.admission("short").capacity()).isEqualTo(4);
  }

  @Test
  void aPoolWithEveryEndpointProbeDownAnswers503() {
    reliability.health().endpoint(L1).recordProbe(false);
    reliability.health().endpoint(L1).recordProbe(false);
    AdmissionRejected why = (AdmissionRejected) reliability.admission("long").acquire().granted().cause();
    assertThat(why.status()).isEqualTo(503);
  }

  @Test
  void clientErrorsNeverEject() {
    for (int i = 0; i < 100; i++) {
      UpstreamFault fault = UpstreamFault.ofStatus(400);
      if (fault == null) {
        reliability.upstreamOk(S1);
      } else {
        reliability.upstreamFault(S1, fault);
      }
    }
    assertThat(reliability.available(S1)).isTrue();
  }

  @Test
  void aSaturatedShortPoolSpillsToLong() {
    long now = System.nanoTime();
    reliability.health().endpoint(S1).publishLoad(new EndpointLoad(64, 12, 0.9, now));
    reliability.health().endpoint(S2).publishLoad(new EndpointLoad(64, 9, 0.9, now));
    assertThat(reliability.spill(0)).isEqualTo(1);
  }

  @Test
  void anIdleShortPoolKeepsItsRequests() {
    assertThat(reliability.spill(0)).isZero();
  }
}
