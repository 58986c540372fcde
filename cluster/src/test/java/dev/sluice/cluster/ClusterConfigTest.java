package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  @Test
  void clusterFlagsAreTakenAndTheRestIsLeftInOrder() {
    ClusterConfig.Parsed p = ClusterConfig.fromArgs(new String[] {"--port", "8080", "--cluster", "--cluster-name", "prod",
        "--members", "127.0.0.1:5701,127.0.0.1:5702", "--hz-port", "5702", "--hz-interface", "127.0.0.1", "-v"});
    assertThat(p.rest()).containsExactly("--port", "8080", "-v");
    assertThat(p.config()).extracting(ClusterConfig::enabled, ClusterConfig::clusterName, ClusterConfig::port,
            ClusterConfig::bindInterface, ClusterConfig::members)
        .containsExactly(true, "prod", 5702, "127.0.0.1", List.of("127.0.0.1:5701", "127.0.0.1:5702"));
  }

  @Test
  void aSlowPublishPeriodStretchesTheEntryTtl() {
    ClusterConfig c = ClusterConfig.fromArgs(new String[] {"--publish-ms", "5000"}).config();
    assertThat(c.entryTtl()).isEqualTo(java.time.Duration.ofSeconds(20));
  }

  @Test
  void missingFlagValueNamesTheFlag() {
    assertThatThrownBy(() -> ClusterConfig.fromArgs(new String[] {"--hz-port"}))
        .hasMessageStartingWith("--hz-port");
  }

  @Test
  void unknownYamlKeyNamesTheKey() {
    assertThatThrownBy(() -> ClusterConfig.fromMap(Map.of("membrs", "x"))).hasMessageStartingWith("cluster.membrs");
  }

  @Test
  void memberConfigIsTcpIpOnlyWithTheVertxMaps() {
    Config c = MemberConfig.build(ClusterConfig.fromArgs(new String[] {"--cluster", "--members", "10.0.0.1,10.0.0.2"})
        .config());
    var join = c.getNetworkConfig().getJoin();
    assertThat(List.of(join.getMulticastConfig().isEnabled(), join.getAutoDetectionConfig().isEnabled(),
        join.getTcpIpConfig().isEnabled(), c.getMapConfigs().containsKey("__vertx.nodeInfo"),
        c.getMultiMapConfigs().containsKey("__vertx.subs"))).containsExactly(false, false, true, true, true);
  }

  @Test
  void kubernetesDiscoveryReplacesTcpIp() {
    Config c = MemberConfig.build(ClusterConfig.fromArgs(new String[] {"--k8s-service-dns", "sluice-hz.ns.svc"})
        .config());
    var join = c.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled() && !join.getTcpIpConfig().isEnabled()
        && "sluice-hz.ns.svc".equals(join.getKubernetesConfig().getProperty("service-dns"))).isTrue();
  }
}
