package dev.sluice.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the Hazelcast member config in code from a {@link ClusterConfig}, so no {@code cluster.xml} on
 * the classpath or system property can change how a Sluice node joins.
 */
public final class MemberConfig {

  /** The map that holds one calibration entry per node. */
  public static final String CALIBRATION_MAP = "sluice.calibration";

  /**
   * Properties Sluice sets unless {@link ClusterConfig#hazelcastProperties()} overrides them. Detection
   * and merge are faster than Hazelcast's defaults (60 s heartbeat timeout, 300 s first merge) because
   * the shared state is soft and is rewritten every publish period; phone-home is off because a
   * dispatcher has no business calling out.
   */
  public static final Map<String, String> DEFAULT_PROPERTIES = defaults();

  private MemberConfig() {
  }

  private static Map<String, String> defaults() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("hazelcast.phone.home.enabled", "false");
    p.put("hazelcast.wait.seconds.before.join", "1");
    p.put("hazelcast.heartbeat.interval.seconds", "2");
    p.put("hazelcast.max.no.heartbeat.seconds", "15");
    p.put("hazelcast.merge.first.run.delay.seconds", "20");
    p.put("hazelcast.merge.next.run.delay.seconds", "20");
    p.put("hazelcast.logging.type", "jdk");
    return Map.copyOf(p);
  }

  public static Config build(ClusterConfig c) {
    Config config = new Config();
    config.setClusterName(c.clusterName());
    DEFAULT_PROPERTIES.forEach(config::setProperty);
    c.hazelcastProperties().forEach(config::setProperty);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(c.port()).setPortAutoIncrement(c.portAutoIncrement());
    String bind = ClusterInterface.choose(c);
    if (bind != null) {
      network.getInterfaces().setEnabled(true).addInterface(bind);
      // Bind only there: the member port must not be reachable on the node's other interfaces.
      config.setProperty("hazelcast.socket.bind.any", "false");
    }

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (c.kubernetes() != null) {
      join.getTcpIpConfig().setEnabled(false);
      KubernetesConfig k = join.getKubernetesConfig().setEnabled(true);
      ClusterConfig.Kubernetes kube = c.kubernetes();
      if (kube.serviceDns() != null) {
        k.setProperty("service-dns", kube.serviceDns());
      } else {
        k.setProperty("service-name", kube.serviceName());
        if (kube.namespace() != null) {
          k.setProperty("namespace", kube.namespace());
        }
      }
    } else {
      join.getTcpIpConfig().setEnabled(true);
      if (c.members().isEmpty()) {
        // Alone unless told otherwise; other nodes may still join through us.
        join.getTcpIpConfig().addMember(bind == null ? "127.0.0.1" : bind);
      } else {
        c.members().forEach(join.getTcpIpConfig()::addMember);
      }
    }

    addVertxStructures(config);
    config.addMapConfig(calibrationMap());
    return config;
  }

  /** The structures the Vert.x cluster manager expects (as its bundled default-cluster.xml declares them). */
  private static void addVertxStructures(Config config) {
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
  }

  /**
   * One sync backup so a killed member's entry survives it until its TTL. After a split heals, the
   * entry written last wins; it is rewritten by its owner within a period anyway.
   */
  private static MapConfig calibrationMap() {
    return new MapConfig(CALIBRATION_MAP)
        .setBackupCount(1)
        .setPerEntryStatsEnabled(true)
        .setMergePolicyConfig(new MergePolicyConfig(LatestUpdateMergePolicy.class.getName(),
            MergePolicyConfig.DEFAULT_BATCH_SIZE));
  }
}
