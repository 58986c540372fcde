package dev.sluice.dispatcher.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolPressureTest {

  private static final long NOW = 10_000_000_000L;

  /** Three pools as health groups, by name. */
  private record Pools(Map<String, PoolHealth> byName) {
    PoolHealth pool(String name) {
      return byName.get(name);
    }

    EndpointHealth endpoint(String url) {
      return byName.values().stream().flatMap(p -> p.endpoints().stream()).filter(e -> e.url().equals(url))
          .findFirst().orElseThrow();
    }
  }

  private static Pools registry() {
    Map<String, PoolHealth> pools = new LinkedHashMap<>();
    pools.put("short", new PoolHealth("short", List.of("http://s1:8000", "http://s2:8000"), OutlierPolicy.DEFAULTS));
    pools.put("long", new PoolHealth("long", List.of("http://l1:8000"), OutlierPolicy.DEFAULTS));
    pools.put("huge", new PoolHealth("huge", List.of("http://h1:8000"), OutlierPolicy.DEFAULTS));
    return new Pools(pools);
  }

  private static void load(Pools r, String url, double waiting, double kv) {
    r.endpoint(url).publishLoad(new EndpointLoad(8, waiting, kv, NOW));
  }

  @Test
  void queueingOnEveryEndpointSaturates() {
    Pools r = registry();
    load(r, "http://s1:8000", 3, 0.5);
    load(r, "http://s2:8000", 1, 0.5);
    assertThat(PoolPressure.of(r.pool("short"), 2, 0, NOW).saturated()).isTrue();
  }

  @Test
  void oneEndpointWithRoomIsNotSaturated() {
    Pools r = registry();
    load(r, "http://s1:8000", 3, 0.5);
    load(r, "http://s2:8000", 0, 0.5);
    assertThat(PoolPressure.of(r.pool("short"), 2, 0, NOW).saturated()).isFalse();
  }

  @Test
  void fullKvCacheSaturates() {
    Pools r = registry();
    load(r, "http://s1:8000", 0, 0.97);
    load(r, "http://s2:8000", 0, 0.99);
    assertThat(PoolPressure.of(r.pool("short"), 0, 0, NOW).saturated()).isTrue();
  }

  @Test
  void staleScrapesAreNotEvidence() {
    Pools r = registry();
    load(r, "http://s1:8000", 9, 0.99);
    load(r, "http://s2:8000", 9, 0.99);
    long later = NOW + (OutlierPolicy.DEFAULTS.loadStaleMillis() + 1) * 1_000_000L;
    assertThat(PoolPressure.of(r.pool("short"), 0, 0, later).saturated()).isFalse();
  }

  @Test
  void ownInFlightBoundSaturates() {
    Pools r = registry();
    assertThat(PoolPressure.of(r.pool("short"), 64, 64, NOW).saturated()).isTrue();
  }

  @Test
  void sumsWaitingOfFreshEndpoints() {
    Pools r = registry();
    load(r, "http://s1:8000", 3, 0.5);
    load(r, "http://s2:8000", 2, 0.7);
    PoolPressure p = PoolPressure.of(r.pool("short"), 0, 0, NOW);
    assertThat(p.waiting()).isEqualTo(5.0);
    assertThat(p.maxKvUsage()).isEqualTo(0.7);
  }

  private static PoolPressure pressure(boolean saturated) {
    return new PoolPressure(1, 0, 0, 0, -1, saturated);
  }

  @Test
  void spillsShortToTheNextLargerPoolWhenSaturated() {
    PoolPressure[] p = {pressure(true), pressure(false), pressure(false)};
    assertThat(SpillOver.target(0, p, true)).isEqualTo(1);
  }

  @Test
  void doesNotSpillWhenDisabled() {
    PoolPressure[] p = {pressure(true), pressure(false)};
    assertThat(SpillOver.target(0, p, false)).isZero();
  }

  @Test
  void doesNotSpillIntoASaturatedPool() {
    PoolPressure[] p = {pressure(true), pressure(true), pressure(false)};
    assertThat(SpillOver.target(0, p, true)).isZero();
  }

  @Test
  void neverSpillsDownward() {
    PoolPressure[] p = {pressure(false), pressure(true)};
    assertThat(SpillOver.target(1, p, true)).isEqualTo(1);
  }
}
