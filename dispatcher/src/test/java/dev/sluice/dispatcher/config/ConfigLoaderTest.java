package dev.sluice.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void commandLineAloneMakesAConfigOrderedByContext() {
    DispatcherConfig c = ConfigLoader.fromArgs(new String[] {"--port", "8081",
        "--pool", "long=65536@http://127.0.0.1:9003",
        "--pool", "short=8192@http://127.0.0.1:9001,http://127.0.0.1:9002"});
    assertThat(c.pools()).extracting(PoolConfig::name, PoolConfig::context, p -> p.endpoints().size())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("short", 8192, 2),
            org.assertj.core.groups.Tuple.tuple("long", 65536, 1));
  }

  @Test
  void unsetKeysTakeTheirDefaults() {
    DispatcherConfig c = ConfigLoader.fromArgs(new String[] {"--pool", "p=4096@http://h:1"});
    assertThat(List.of(c.port(), c.bodyCapBytes(), c.defaultOutputReserve(), c.pools().get(0).limits().maxWaitQueue()))
        .containsExactly(Defaults.PORT, Defaults.BODY_CAP_BYTES, Defaults.DEFAULT_OUTPUT_RESERVE, Defaults.MAX_WAIT_QUEUE);
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
    DispatcherConfig c = ConfigLoader.fromArgs(new String[] {"--config", f.toString(), "--port", "9100",
        "--pool", "long=131072@http://10.0.0.1:8000"});
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
    assertThatThrownBy(() -> ConfigLoader.fromArgs(new String[] {"--config", f.toString()}))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pools[1].context must be > 0");
  }

  @Test
  void unknownKeyIsRefusedByName() throws IOException {
    Path f = yaml("prot: 80\n");
    assertThatThrownBy(() -> ConfigLoader.fromYaml(f)).hasMessageStartingWith("prot is not a known key");
  }

  @Test
  void endpointMustBeHttp() {
    DispatcherConfig c = DispatcherConfig.defaults()
        .withPool(new PoolConfig("a", 10, List.of(URI.create("ftp://h/x"))));
    assertThatThrownBy(c::validated).hasMessageContaining("pools[0].endpoints[0] must be an http:// or https:// URL");
  }

  @Test
  void noPoolsIsRefused() {
    assertThatThrownBy(() -> ConfigLoader.fromArgs(new String[0])).hasMessageStartingWith("pools must name");
  }

  @Test
  void malformedPoolSpecIsExplained() {
    assertThatThrownBy(() -> ConfigLoader.fromArgs(new String[] {"--pool", "short:8192"}))
        .hasMessageContaining("NAME=CONTEXT@URL");
  }

  @Test
  void exampleConfigInConfIsValid() {
    Path conf = Path.of(System.getProperty("user.dir")).resolve("../conf/dispatcher-local.yaml").normalize();
    DispatcherConfig c = ConfigLoader.fromArgs(new String[] {"--config", conf.toString()});
    assertThat(c.pools()).hasSize(2);
  }
}
