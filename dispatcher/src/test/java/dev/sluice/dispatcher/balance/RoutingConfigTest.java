package dev.sluice.dispatcher.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing: section from file, environment and flags. */
class RoutingConfigTest {
  @TempDir
  Path dir;

  private static final String POOL = "p=4096@http://h:1";

  private static RoutingConfig load(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--pool";
    all[1] = POOL;
    System.arraycopy(args, 0, all, 2, args.length);
    return NodeConfig.load(all, env).routing();
  }

  @Test
  void affinityIsOnWithAKibibyteOfPromptAndAQuarterAboveTheMean() {
    assertThat(load(Map.of())).isEqualTo(RoutingConfig.DEFAULTS)
        .isEqualTo(new RoutingConfig(true, 1024, 1.25, RoutingConfig.Load.BUDGET));
  }

  /** YAML reads an unquoted off as false; the switch takes that, the word and true|false alike. */
  @Test
  void theSwitchIsWrittenOnOrOffInTheFileTheEnvironmentAndTheFlags() throws IOException {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "routing:\n  affinity: off\n  affinity_prefix_bytes: 512\n  affinity_load_factor: 1.5\n");
    assertThat(load(Map.of(), "--config", f.toString())).isEqualTo(new RoutingConfig(false, 512, 1.5, RoutingConfig.Load.BUDGET));
    Files.writeString(f, "routing:\n  affinity: \"off\"\n");
    assertThat(load(Map.of(), "--config", f.toString()).affinity()).isFalse();
    assertThat(load(Map.of("SLUICE_ROUTING_AFFINITY", "off")).affinity()).isFalse();
    assertThat(load(Map.of("SLUICE_ROUTING_AFFINITY", "off"), "--routing-affinity", "on").affinity()).isTrue();
  }

  @Test
  void theLoadCountsBudgetsOrRequests() {
    assertThat(load(Map.of("SLUICE_ROUTING_LOAD", "requests")).load()).isEqualTo(RoutingConfig.Load.REQUESTS);
    assertThatThrownBy(() -> load(Map.of("SLUICE_ROUTING_LOAD", "tokens")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("routing.load");
  }

  @Test
  void aLoadFactorBelowOneOrAWordOtherThanOnOrOffIsRefusedByName() {
    assertThatThrownBy(() -> load(Map.of("SLUICE_ROUTING_AFFINITY_LOAD_FACTOR", "0.9")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("routing.affinity_load_factor");
    assertThatThrownBy(() -> load(Map.of(), "--routing-affinity", "maybe"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--routing-affinity must be 'on' or 'off'");
  }
}
