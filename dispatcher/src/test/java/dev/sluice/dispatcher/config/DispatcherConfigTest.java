package dev.sluice.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.NodeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher's own keys, bound from file and flags, and checked when built in code. */
class DispatcherConfigTest {
  @TempDir
  Path dir;

  private static DispatcherConfig load(String... args) {
    return NodeConfig.load(args, Map.of()).dispatcher();
  }

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void commandLineAloneMakesAConfigOrderedByContext() {
    DispatcherConfig c = load("--port", "8081",
        "--pool", "long=65536@http://127.0.0.1:9003",
        "--pool", "short=8192@http://127.0.0.1:9001,http://127.0.0.1:9002");
    assertThat(c.pools()).extracting(PoolConfig::name, PoolConfig::context, p -> p.endpoints().size())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("short", 8192, 2),
            org.assertj.core.groups.Tuple.tuple("long", 65536, 1));
  }

  @Test
  void unsetKeysTakeTheirDefaults() {
    DispatcherConfig c = load("--pool", "p=4096@http://h:1");
    assertThat(List.of(c.port(), c.bodyCapBytes(), c.defaultOutputReserve(), c.pools().get(0).limits().maxWaitQueue()))
        .containsExactly(8080, 8 * 1024 * 1024, 1024, 256);
  }

  @Test
  void yamlFileIsReadAndFlagsOverrideIt() throws IOException {
    Path f = yaml("""
        port: 9000
        body_cap_bytes: 1024
        client: {max_connections_per_endpoint: 7}
        timeouts: {first_byte_ms: 5000}
        pools:
          - name: short
            context: 8192
            endpoints: [http://127.0.0.1:9001]
            max_wait_queue: 3
          - name: long
            context: 65536
            endpoints: [http://127.0.0.1:9003]
        """);
    DispatcherConfig c = load("--config", f.toString(), "--port", "9100",
        "--pool", "long=131072@http://10.0.0.1:8000");
    assertThat(List.of(c.port(), c.bodyCapBytes(), c.timeouts().firstByteMs(),
        c.pools().get(0).limits().maxConnectionsPerEndpoint(), c.pools().get(0).limits().maxWaitQueue(),
        c.pools().get(1).context(), c.pools().get(1).endpoints().get(0).toString()))
        .containsExactly(9100, 1024, 5000, 7, 3, 131072, "http://10.0.0.1:8000");
  }

  @Test
  void badPoolContextIsNamedByItsKey() throws IOException {
    Path f = yaml("""
        pools:
          - {name: a, context: 8192, endpoints: [http://h:1]}
          - {name: b, context: 0, endpoints: [http://h:2]}
        """);
    assertThatThrownBy(() -> load("--config", f.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pools[1].context must be > 0");
  }

  @Test
  void unknownKeyIsRefusedByName() throws IOException {
    Path f = yaml("prot: 80\n");
    assertThatThrownBy(() -> load("--config", f.toString())).hasMessageStartingWith("prot is not a known key");
  }

  @Test
  void endpointMustBeHttp() {
    DispatcherConfig c = DispatcherConfig.defaults()
        .withPool(new PoolConfig("a", 10, List.of(URI.create("ftp://h/x"))));
    assertThatThrownBy(c::validated).hasMessageContaining(
        "pools[0].endpoints[0] must be an http://, https://, dns+http:// or dns+https:// URL");
  }

  @Test
  void noPoolsIsRefused() {
    assertThatThrownBy(() -> load()).hasMessageStartingWith("pools must name");
  }

  @Test
  void malformedPoolSpecIsExplained() {
    assertThatThrownBy(() -> load("--pool", "short:8192"))
        .hasMessageContaining("NAME=CONTEXT@URL");
  }

  @Test
  void exampleConfigInConfIsValid() {
    Path conf = Path.of(System.getProperty("user.dir")).resolve("../conf/dispatcher-local.yaml").normalize();
    DispatcherConfig c = load("--config", conf.toString());
    assertThat(c.pools()).hasSize(2);
  }

  @Test
  void aPoolFromTheCommandLineTakesTheFilesClientDefaults() throws IOException {
    Path f = yaml("client: {max_wait_queue: 5}\n");
    DispatcherConfig c = load("--config", f.toString(), "--pool", "p=4096@http://h:1");
    assertThat(c.pools().get(0).limits().maxWaitQueue()).isEqualTo(5);
  }

  @Test
  void twoPoolsWithOneNameAreRefusedAtTheSecond() throws IOException {
    Path f = yaml("""
        pools:
          - {name: a, context: 8192, endpoints: [http://h:1]}
          - {name: a, context: 4096, endpoints: [http://h:2]}
        """);
    assertThatThrownBy(() -> load("--config", f.toString()))
        .hasMessage("pools[1].name 'a' is used by another pool");
  }

  @Test
  void aBadFlagValueNamesTheFlagAndAnUnknownFlagShowsTheUsage() {
    assertThatThrownBy(() -> load("--port", "eighty", "--pool", "p=1@http://h:1"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--port must be an integer");
    assertThatThrownBy(() -> load("--prot", "80"))
        .hasMessageContaining("--prot").hasMessageContaining("Usage: sluice dispatcher");
    assertThat(NodeConfig.BINDING.usage()).contains("--pool=NAME=CONTEXT@URL[,URL...]", "--hz-port=PORT",
        "--config=FILE", "(default 8080)");
  }
}
