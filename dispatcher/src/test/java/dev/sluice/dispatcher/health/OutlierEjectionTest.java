package dev.sluice.dispatcher.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.error.FailureKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierEjectionTest {

  private static final long MS = 1_000_000L;
  private static final OutlierPolicy POLICY = OutlierPolicy.DEFAULTS.withEjection(3, 1_000, 4_000);

  private static PoolHealth pool(int endpoints) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      urls.add("http://10.0.0." + (i + 1) + ":8000");
    }
    return new PoolHealth("short", urls, POLICY);
  }

  private static void fail(EndpointHealth e, int times, long now) {
    for (int i = 0; i < times; i++) {
      e.recordFailure(now);
    }
  }

  @Test
  void consecutiveFaultsEject() {
    EndpointHealth e = pool(3).endpoint(0);
    fail(e, 3, 0);
    assertThat(e.available(1)).isFalse();
  }

  @Test
  void fewerFaultsThanTheThresholdDoNotEject() {
    EndpointHealth e = pool(3).endpoint(0);
    fail(e, 2, 0);
    assertThat(e.available(1)).isTrue();
  }

  @Test
  void aSuccessResetsTheStreak() {
    EndpointHealth e = pool(3).endpoint(0);
    fail(e, 2, 0);
    e.recordSuccess(0);
    fail(e, 2, 0);
    assertThat(e.available(1)).isTrue();
  }

  @Test
  void clientErrorsAndBusySignalsAreNotFaults() {
    assertThat(FailureKind.ofUpstreamStatus(400)).isNull();
    assertThat(FailureKind.ofUpstreamStatus(404)).isNull();
    assertThat(FailureKind.ofUpstreamStatus(429)).isNull();
    assertThat(FailureKind.ofUpstreamStatus(200)).isNull();
    assertThat(FailureKind.ofUpstreamStatus(503).endpointFault()).isFalse();
    assertThat(FailureKind.ofUpstreamStatus(502).endpointFault()).isTrue();
    assertThat(FailureKind.ofUpstreamStatus(504).endpointFault()).isTrue();
    assertThat(FailureKind.ofUpstreamStatus(501).endpointFault()).isTrue();
    // a 500 may be vLLM's validation error in disguise: its body decides (see the relay)
    assertThat(FailureKind.ofUpstreamStatus(500)).isNull();
    assertThat(FailureKind.CONTEXT_LENGTH_EXCEEDED.endpointFault()).isFalse();
  }

  @Test
  void ejectionEndsAfterTheBaseTime() {
    EndpointHealth e = pool(3).endpoint(0);
    fail(e, 3, 0);
    assertThat(e.available(999 * MS)).isFalse();
    assertThat(e.available(1_000 * MS)).isTrue();
  }

  @Test
  void aFaultOnProbationEjectsAgainForLonger() {
    EndpointHealth e = pool(3).endpoint(0);
    fail(e, 3, 0);
    long back = 1_000 * MS;
    e.recordFailure(back);
    assertThat(e.available(back + 1_999 * MS)).isFalse();
    assertThat(e.available(back + 2_000 * MS)).isTrue();
  }

  @Test
  void ejectionLengthIsCapped() {
    EndpointHealth e = pool(3).endpoint(0);
    long now = 0;
    fail(e, 3, now);
    for (int i = 0; i < 10; i++) {
      now += e.ejectionRemainingNanos(now);
      e.recordFailure(now);
    }
    assertThat(e.ejectionRemainingNanos(now)).isEqualTo(4_000 * MS);
  }

  @Test
  void aSuccessOnProbationEndsProbation() {
    EndpointHealth e = pool(3).endpoint(0);
    fail(e, 3, 0);
    long back = 1_000 * MS;
    e.recordSuccess(back);
    e.recordFailure(back);
    assertThat(e.available(back + 1)).isTrue();
  }

  @Test
  void neverEjectsTheLastAvailableEndpoint() {
    PoolHealth pool = pool(2);
    fail(pool.endpoint(0), 3, 0);
    fail(pool.endpoint(1), 3, 0);
    assertThat(pool.endpoint(0).available(1)).isFalse();
    assertThat(pool.endpoint(1).available(1)).isTrue();
  }

  @Test
  void aSingleEndpointPoolIsNeverEjected() {
    PoolHealth pool = pool(1);
    fail(pool.endpoint(0), 10, 0);
    assertThat(pool.availableCount(1)).isEqualTo(1);
  }

  @Test
  void ejectionShareCapsHowManyGoAtOnce() {
    PoolHealth pool = pool(4);
    for (int i = 0; i < 4; i++) {
      fail(pool.endpoint(i), 3, 0);
    }
    assertThat(pool.availableCount(1)).isEqualTo(2);
  }

  @Test
  void probeDownMakesAnEndpointUnavailableRegardlessOfShare() {
    PoolHealth pool = pool(1);
    EndpointHealth e = pool.endpoint(0);
    e.recordProbe(false);
    e.recordProbe(false);
    assertThat(pool.availableCount(0)).isZero();
    e.recordProbe(true);
    assertThat(pool.availableCount(0)).isEqualTo(1);
  }



}
