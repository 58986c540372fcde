package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The member port opens on one address unless {@code *} is written: the address of this node's own entry in
 * {@code members}, the pod's with Kubernetes, 127.0.0.1 otherwise; checked on a real member too.
 */
class ClusterInterfaceTest {

  private static ClusterConfig members(int port, String... seeds) {
    return ClusterConfig.defaults().withMembership("iface-test", null, port, List.of(seeds));
  }

  @Test
  void theAddressOfThisNodesOwnEntryIsChosen() {
    assertThat(ClusterInterface.choose(members(5702, "127.0.0.1:5701", "127.0.0.1:5702"), null))
        .isEqualTo("127.0.0.1");
    // other hosts' entries are skipped; a name that does not resolve is skipped too
    assertThat(ClusterInterface.choose(members(5701, "192.0.2.10:5701", "no-such-host.invalid:5701",
        "localhost:5701"), null)).isEqualTo("127.0.0.1");
    assertThat(ClusterInterface.choose(members(5701), null)).isEqualTo("127.0.0.1");
  }

  @Test
  void membersThatAreAllElsewhereAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> ClusterInterface.choose(members(5701, "192.0.2.10:5701", "192.0.2.11"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cluster.interface: none of cluster.members [192.0.2.10:5701, 192.0.2.11]");
  }

  @Test
  void theWildcardOnlyWhenWrittenAndAWrittenAddressAsItIs() {
    assertThat(ClusterInterface.choose(members(5701, "192.0.2.10").withInterface("*"), null)).isNull();
    assertThat(ClusterInterface.choose(members(5701, "192.0.2.10").withInterface("10.0.0.7"), null))
        .isEqualTo("10.0.0.7");
  }

  @Test
  void kubernetesUsesThePodsAddress() {
    ClusterConfig k8s = ClusterConfig.defaults().withKubernetes(new ClusterConfig.Kubernetes(
        "sluice-hazelcast.sluice.svc.cluster.local", null, null));
    assertThat(ClusterInterface.choose(k8s, "10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(ClusterInterface.choose(k8s, null)).isNotBlank();
  }

  @Test
  void aRealMemberListensOnItsEntrysAddressOnly() throws Exception {
    List<Integer> ports = FreePorts.pick(1);
    int port = ports.get(0);
    ClusterConfig config = LocalMember.config("iface-test", port, ports).withInterface(null);
    LocalMember member = LocalMember.start(config);
    try {
      assertThat(member.hazelcast().getCluster().getLocalMember().getAddress().getHost()).isEqualTo("127.0.0.1");
      // nothing holds the port on another address: the member did not bind the wildcard
      assertThat(bindable("127.0.0.2", port)).isTrue();
      assertThat(bindable("127.0.0.1", port)).isFalse();
    } finally {
      member.close();
    }
  }

  private static boolean bindable(String address, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
