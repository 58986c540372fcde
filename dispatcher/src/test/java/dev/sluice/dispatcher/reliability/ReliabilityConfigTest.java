package dev.sluice.dispatcher.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.NodeConfig;
import dev.sluice.dispatcher.security.ApiKeys;
import dev.sluice.dispatcher.security.ImagePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code reliability:} section: every part read, unknown keys and bad values refused by their path. */
class ReliabilityConfigTest {

  private static final String HASH = ApiKeys.sha256Hex("sk-a");

  @TempDir
  Path dir;

  private static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }

  private static final String POOLS = """
      port: 8080
      pools:
        - name: short
          context: 8192
          endpoints: [http://127.0.0.1:9001]
      """;

  private static final String FULL = POOLS + """
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

  /** The whole file {@code text}, with {@code env} as the environment. */
  private NodeConfig load(String text, Map<String, String> env) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, text);
    return NodeConfig.load(new String[] {"--config", f.toString()}, env);
  }

  @Test
  void readsEverySection() throws Exception {
    ReliabilityConfig c = ReliabilityConfig.SECTION.bind(yaml(FULL).get("reliability"));
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
    NodeConfig c = load(FULL, Map.of());
    assertThat(c.dispatcher().port()).isEqualTo(8080);
    assertThat(c.reliability().admission().maxInFlightPerEndpoint()).isEqualTo(32);
  }

  @Test
  void unknownKeysAreRefusedWithTheirPath() throws Exception {
    Throwable t = catchThrowable(() -> ReliabilityConfig.SECTION.bind(yaml("admission: {max_waiter: 3}")));
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageStartingWith("reliability.admission.max_waiter");
  }

  @Test
  void aRuleOverTwoKeysNamesTheOneItConstrains() throws Exception {
    Throwable t = catchThrowable(() -> ReliabilityConfig.SECTION.bind(
        yaml("health: {base_ejection_ms: 60000, max_ejection_ms: 1000}")));
    assertThat(t).hasMessage("reliability.health.max_ejection_ms must be >= base_ejection_ms");
  }

  @Test
  void aPlainKeyInsteadOfItsHashIsRefused() throws Exception {
    Throwable t = catchThrowable(() -> ReliabilityConfig.SECTION.bind(
        yaml("security: {keys: [{name: a, sha256: sk-live-123}]}")));
    assertThat(t).isInstanceOf(ConfigException.class)
        .hasMessage("reliability.security.keys[0].sha256 must be 64 hex digits");
  }

  @Test
  void upstreamKeysAreReadFromTheNamedEnvironmentVariable() throws Exception {
    NodeConfig c = load(POOLS + "reliability: {security: {upstream_keys: {short: {env: VLLM_KEY_SHORT}}}}\n",
        Map.of("VLLM_KEY_SHORT", "s3cret"));
    assertThat(c.reliability().upstreamKeys()).containsEntry("short", "s3cret");
    Throwable t = catchThrowable(() -> load(POOLS + "reliability: {security: {upstream_keys: {long: {env: MISSING}}}}\n",
        Map.of()));
    assertThat(t).isInstanceOf(ConfigException.class)
        .hasMessage("reliability.security.upstream_keys.long.env names 'MISSING', which is not set in the environment");
  }

  @Test
  void aVariableAKeyNamesIsNotReportedAsUnused() throws Exception {
    Path f = dir.resolve("k.yaml");
    Files.writeString(f, POOLS + "reliability: {security: {upstream_keys: {short: {env: SLUICE_KEY_SHORT}}}}\n");
    var loaded = NodeConfig.BINDING.load(new String[] {"--config", f.toString()}, Map.of("SLUICE_KEY_SHORT", "k"));
    assertThat(loaded.unusedVariables()).isEmpty();
  }

  @Test
  void absentSectionMeansDefaults() {
    assertThat(NodeConfig.load(new String[] {"--port", "1", "--pool", "p=1@http://h:1"}, Map.of()).reliability())
        .isEqualTo(ReliabilityConfig.DEFAULTS);
  }
}
