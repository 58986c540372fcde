package dev.sluice.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Binding;
import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.NodeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One snake_case schema for every section, its validation messages, and the SLUICE_* overrides. */
class ConfigSchemaTest {
  private static final String BASE = """
      port: 8080
      default_output_reserve: 1024
      timeouts: {first_byte_ms: 120000}
      pools:
        - {name: short, context: 8192, endpoints: [http://127.0.0.1:9001]}
        - {name: long, context: 65536, endpoints: [http://127.0.0.1:9003]}
      """;

  @TempDir
  Path dir;

  private String[] file(String yaml) throws IOException {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    return new String[] {"--config", f.toString()};
  }

  @Test
  void clusterSectionUsesSnakeCaseKeys() throws IOException {
    NodeConfig l = NodeConfig.load(file(BASE + """
        cluster:
          enabled: true
          publish_period_ms: 250
          entry_ttl_ms: 5000
          kubernetes: {service_dns: sluice-hazelcast.sluice.svc.cluster.local}
        """), Map.of());
    assertThat(l.cluster().publishPeriod()).isEqualTo(Duration.ofMillis(250));
    assertThat(l.cluster().kubernetes().serviceDns()).isEqualTo("sluice-hazelcast.sluice.svc.cluster.local");
  }

  @Test
  void badClusterValueNamesItsKey() throws IOException {
    String[] args = file(BASE + "cluster: {publish_period_ms: 0}\n");
    assertThatThrownBy(() -> NodeConfig.load(args, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessage("cluster.publish_period_ms must be > 0");
  }

  @Test
  void kebabCaseClusterKeyIsRefusedByName() throws IOException {
    String[] args = file(BASE + "cluster: {publish-period-ms: 100}\n");
    assertThatThrownBy(() -> NodeConfig.load(args, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("cluster.publish-period-ms is not a known key");
  }

  @Test
  void unknownKubernetesKeyIsRefusedByName() throws IOException {
    String[] args = file(BASE + "cluster: {kubernetes: {service-dns: x}}\n");
    assertThatThrownBy(() -> NodeConfig.load(args, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("cluster.kubernetes.service-dns is not a known key");
  }

  @Test
  void unknownTopLevelKeyIsRefusedByName() throws IOException {
    String[] args = file(BASE + "defualt_output_reserve: 5\n");
    assertThatThrownBy(() -> NodeConfig.load(args, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("defualt_output_reserve is not a known key");
  }

  @Test
  void badReliabilityValueNamesItsKey() throws IOException {
    String[] args = file(BASE + "reliability: {health: {consecutive_failures: many}}\n");
    assertThatThrownBy(() -> NodeConfig.load(args, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reliability.health.consecutive_failures must be an integer");
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    DispatcherConfig c = NodeConfig.load(file(BASE), Map.of(
        "SLUICE_PORT", "9090",
        "SLUICE_DEFAULT_OUTPUT_RESERVE", "256",
        "SLUICE_TIMEOUTS_FIRST_BYTE_MS", "30000",
        "SLUICE_POOLS_0_ENDPOINTS", "http://10.0.0.1:8000, http://10.0.0.2:8000")).dispatcher();
    assertThat(List.of(c.port(), c.defaultOutputReserve(), c.timeouts().firstByteMs())).containsExactly(9090, 256, 30000);
    assertThat(c.pools().get(0).endpoints())
        .containsExactly(URI.create("http://10.0.0.1:8000"), URI.create("http://10.0.0.2:8000"));
  }

  @Test
  void flagBeatsEnvironment() throws IOException {
    String[] args = file(BASE);
    String[] withFlag = {args[0], args[1], "--port", "7070"};
    assertThat(NodeConfig.load(withFlag, Map.of("SLUICE_PORT", "9090")).dispatcher().port()).isEqualTo(7070);
  }

  @Test
  void environmentReachesClusterAndReliabilitySections() throws IOException {
    NodeConfig l = NodeConfig.load(file(BASE), Map.of(
        "SLUICE_CLUSTER_ENABLED", "true",
        "SLUICE_CLUSTER_MEMBERS", "10.0.0.1:5701,10.0.0.2:5701",
        "SLUICE_RELIABILITY_SPILL_OVER", "true"));
    assertThat(l.cluster().enabled()).isTrue();
    assertThat(l.cluster().members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(l.reliability().spillOver()).isTrue();
  }

  @Test
  void environmentAloneCanDescribeAPool() {
    DispatcherConfig c = NodeConfig.load(new String[0], Map.of(
        "SLUICE_POOLS_0_NAME", "only", "SLUICE_POOLS_0_CONTEXT", "4096",
        "SLUICE_POOLS_0_ENDPOINTS", "http://127.0.0.1:9001")).dispatcher();
    assertThat(c.pools()).extracting(PoolConfig::name).containsExactly("only");
  }

  @Test
  void badEnvironmentValueNamesTheKey() throws IOException {
    String[] args = file(BASE);
    assertThatThrownBy(() -> NodeConfig.load(args, Map.of("SLUICE_TIMEOUTS_CONNECT_MS", "0")))
        .isInstanceOf(ConfigException.class).hasMessage("timeouts.connect_ms must be > 0");
  }

  @Test
  void variablesNamingNoKeyAreReportedNotApplied() throws IOException {
    var loaded = NodeConfig.BINDING.load(file(BASE), Map.of("SLUICE_JAVA_OPTS", "-Xmx1g", "SLUICE_PORT", "1"));
    assertThat(loaded.unusedVariables()).containsExactly("SLUICE_JAVA_OPTS");
    assertThat(loaded.config().dispatcher().port()).isEqualTo(1);
  }

  @Test
  void variableNameFollowsTheKeyPath() {
    assertThat(Binding.variable("pools[0].endpoints")).isEqualTo("SLUICE_POOLS_0_ENDPOINTS");
  }

  @Test
  void everyExampleConfigLoads() throws IOException {
    Path conf = Path.of("").toAbsolutePath().resolveSibling("conf");
    List<Path> files;
    try (var s = Files.list(conf)) {
      files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    List<String> loaded = new java.util.ArrayList<>();
    for (Path f : files) {
      NodeConfig.load(new String[] {"--config", f.toString()}, Map.of());
      loaded.add(f.getFileName().toString());
    }
    assertThat(loaded).contains("dispatcher-local.yaml", "dispatcher-vllm.yaml", "cluster-node-1.yaml",
        "cluster-node-2.yaml", "cluster-node-3.yaml");
  }
}
