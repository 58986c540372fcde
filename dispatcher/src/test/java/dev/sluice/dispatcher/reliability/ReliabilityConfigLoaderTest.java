package dev.sluice.dispatcher.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.dispatcher.config.ConfigException;
import dev.sluice.dispatcher.config.ConfigLoader;
import dev.sluice.dispatcher.security.ApiKeys;
import dev.sluice.dispatcher.security.ImagePolicy;
import org.junit.jupiter.api.Test;

class ReliabilityConfigLoaderTest {

  private static final String HASH = ApiKeys.sha256Hex("sk-a");

  private static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }

  private static final String FULL = """
      port: 8080
      pools:
        - name: short
          context: 8192
          endpoints: [http://127.0.0.1:9001]
      reliability:
        server: {header_deadline_ms: 5000, h2c: false}
        health: {consecutive_failures: 3, probe_interval_ms: 0}
        admission: {max_in_flight_per_endpoint: 32, max_waiters: 8, max_wait_ms: 500}
        retry_budget: {ratio: 0.1, min: 1}
        spill_over: true
        drain_grace_ms: 15000
        security:
          image_urls: allow
          keys:
            - {name: team-a, sha256: %s, requests_per_minute: 60, tokens_per_minute: 100000}
      """.formatted(HASH);

  @Test
  void readsEverySection() throws Exception {
    ReliabilityConfig c = ReliabilityConfigLoader.fromTree(yaml(FULL).get("reliability"));
    assertThat(c.server().headerDeadlineMillis()).isEqualTo(5000);
    assertThat(c.health().consecutiveFailures()).isEqualTo(3);
    assertThat(c.health().probeIntervalMillis()).isZero();
    assertThat(c.admission().maxWaiters()).isEqualTo(8);
    assertThat(c.retryRatio()).isEqualTo(0.1);
    assertThat(c.spillOver()).isTrue();
    assertThat(c.drainGrace().toMillis()).isEqualTo(15000);
    assertThat(c.images()).isEqualTo(ImagePolicy.ALLOW);
    assertThat(c.keys()).singleElement().satisfies(k -> assertThat(k.requestsPerMinute()).isEqualTo(60));
  }

  @Test
  void theDispatcherLoaderAcceptsTheSection() throws Exception {
    assertThat(ConfigLoader.fromTree(yaml(FULL)).port()).isEqualTo(8080);
  }

  @Test
  void unknownKeysAreRefusedWithTheirPath() throws Exception {
    Throwable t = catchThrowable(() -> ReliabilityConfigLoader.fromTree(yaml("admission: {max_waiter: 3}")));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("reliability.admission.max_waiter");
  }

  @Test
  void aPlainKeyInsteadOfItsHashIsRefused() throws Exception {
    Throwable t = catchThrowable(() -> ReliabilityConfigLoader.fromTree(
        yaml("security: {keys: [{name: a, sha256: sk-live-123}]}")));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("64 hex digits");
  }

  @Test
  void upstreamKeysAreReadFromTheNamedEnvironmentVariable() throws Exception {
    var saved = ReliabilityConfigLoader.environment;
    ReliabilityConfigLoader.environment = name -> name.equals("VLLM_KEY_SHORT") ? "s3cret" : null;
    try {
      ReliabilityConfig c = ReliabilityConfigLoader.fromTree(yaml("security: {upstream_keys: {short: {env: VLLM_KEY_SHORT}}}"));
      assertThat(c.upstreamKeys()).containsEntry("short", "s3cret");
      Throwable t = catchThrowable(() -> ReliabilityConfigLoader.fromTree(yaml("security: {upstream_keys: {long: {env: MISSING}}}")));
      assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("upstream_keys.long.env");
    } finally {
      ReliabilityConfigLoader.environment = saved;
    }
  }

  @Test
  void absentSectionMeansDefaults() throws Exception {
    assertThat(ReliabilityConfigLoader.fromArgs(new String[] {"--port", "1"})).isSameAs(ReliabilityConfig.DEFAULTS);
  }
}
