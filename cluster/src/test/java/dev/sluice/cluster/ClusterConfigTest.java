package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.config.Config;
import dev.sluice.config.Binding;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
  /** A command whose only section is {@code cluster:}, the way the dispatcher mounts it. */
  private static final Binding<ClusterConfig> COMMAND = new Binding<>("cluster-test",
      Section.of(null, v -> v.get(Holder.CLUSTER), Holder.CLUSTER));

  private static final class Holder {
    static final Sub<ClusterConfig, ClusterConfig> CLUSTER = Sub.of(ClusterConfig.SECTION, c -> c);
  }

  private static ClusterConfig flags(String... args) {
    return COMMAND.load(args, Map.of()).config();
  }

  @Test
  void clusterFlagsSetTheirKeys() {
    ClusterConfig c = flags("--cluster", "--cluster-name", "prod", "--members", "127.0.0.1:5701,127.0.0.1:5702",
        "--hz-port", "5702", "--hz-interface", "127.0.0.1");
    assertThat(c).extracting(ClusterConfig::enabled, ClusterConfig::clusterName, ClusterConfig::port,
            ClusterConfig::portAutoIncrement, ClusterConfig::bindInterface, ClusterConfig::members)
        .containsExactly(true, "prod", 5702, false, "127.0.0.1", List.of("127.0.0.1:5701", "127.0.0.1:5702"));
  }

  @Test
  void defaultsAreASingleNodeWithAutoIncrement() {
    ClusterConfig c = flags();
    assertThat(List.of(c.enabled(), c.port(), c.portAutoIncrement(), c.publishPeriod(), c.entryTtl()))
        .containsExactly(false, 5701, true, Duration.ofMillis(500), Duration.ofSeconds(10));
    assertThat(c).isEqualTo(ClusterConfig.defaults());
  }

  @Test
  void seedMembersOrKubernetesTurnTheClusterOnUnlessItIsSetOff() throws Exception {
    assertThat(flags("--members", "10.0.0.1").enabled()).isTrue();
    assertThat(flags("--k8s-service-dns", "sluice-hz.ns.svc").enabled()).isTrue();
    assertThat(ClusterConfig.SECTION.bind(new ObjectMapper().readTree("{\"enabled\": false, \"members\": [\"a\"]}"))
        .enabled()).isFalse();
  }

  @Test
  void aSlowPublishPeriodStretchesTheEntryTtl() {
    assertThat(flags("--publish-ms", "5000").entryTtl()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void anEntryTtlBelowTwoPeriodsIsRefusedByName() throws Exception {
    assertThatThrownBy(() -> ClusterConfig.SECTION.bind(
            new ObjectMapper().readTree("{\"publish_period_ms\": 5000, \"entry_ttl_ms\": 6000}")))
        .isInstanceOf(ConfigException.class).hasMessage("cluster.entry_ttl_ms must be at least two publish periods");
  }

  @Test
  void missingFlagValueNamesTheFlag() {
    assertThatThrownBy(() -> flags("--hz-port")).isInstanceOf(ConfigException.class).hasMessageContaining("--hz-port");
  }

  @Test
  void badFlagValueNamesTheFlag() {
    assertThatThrownBy(() -> flags("--hz-port", "x")).hasMessageStartingWith("--hz-port must be an integer");
  }

  @Test
  void unknownYamlKeyNamesTheKey() throws Exception {
    assertThatThrownBy(() -> ClusterConfig.SECTION.bind(new ObjectMapper().readTree("{\"membrs\": \"x\"}")))
        .hasMessageStartingWith("cluster.membrs is not a known key");
  }

  @Test
  void aConfigBuiltInCodeIsCheckedByTheSameRules() {
    assertThatThrownBy(() -> ClusterConfig.defaults().withPublishPeriod(Duration.ZERO).validate())
        .hasMessage("cluster.publish_period_ms must be > 0");
  }

  @Test
  void memberConfigIsTcpIpOnlyWithTheVertxMaps() {
    Config c = MemberConfig.build(flags("--cluster", "--members", "10.0.0.1,10.0.0.2", "--hz-interface", "10.0.0.1"));
    var join = c.getNetworkConfig().getJoin();
    assertThat(List.of(join.getMulticastConfig().isEnabled(), join.getAutoDetectionConfig().isEnabled(),
        join.getTcpIpConfig().isEnabled(), c.getMapConfigs().containsKey("__vertx.nodeInfo"),
        c.getMultiMapConfigs().containsKey("__vertx.subs"))).containsExactly(false, false, true, true, true);
    assertThat(List.of(c.getNetworkConfig().getInterfaces().isEnabled(),
        c.getNetworkConfig().getInterfaces().getInterfaces().contains("10.0.0.1"),
        c.getProperty("hazelcast.socket.bind.any"))).containsExactly(true, true, "false");
  }

  @Test
  void kubernetesDiscoveryReplacesTcpIp() {
    Config c = MemberConfig.build(flags("--k8s-service-dns", "sluice-hz.ns.svc"));
    var join = c.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled() && !join.getTcpIpConfig().isEnabled()
        && "sluice-hz.ns.svc".equals(join.getKubernetesConfig().getProperty("service-dns"))).isTrue();
  }
}
