package dev.sluice.dispatcher;

import dev.sluice.cluster.ClusterConfig;
import dev.sluice.config.Binding;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.dispatcher.admin.ManagementConfig;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.observe.ObserveSettings;
import dev.sluice.dispatcher.pool.DiscoveryConfig;
import dev.sluice.dispatcher.protocol.NodeLimits;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.TlsConfig;
import java.util.Map;

/**
 * Everything a dispatcher node is configured with, and the root of the key table: the dispatcher's own
 * keys at the top level, then the {@code management:}, {@code tls:}, {@code limits:}, {@code discovery:},
 * {@code cluster:}, {@code reliability:}, {@code routing:}, {@code access_log:} and {@code logging:} sections.
 * Each key is defined once, in the record it fills (follow the sections from here); the YAML keys, the
 * {@code SLUICE_*} variables, the flags of {@code ./sluice dispatcher} and the tables of docs/configuration.md
 * all come from those definitions.
 *
 * @param dispatcher  the HTTP front, upstream timeouts and pools
 * @param management  the management listener ({@code /metrics}, {@code /health/*}, {@code /admin/*})
 * @param tls         HTTPS on the public listener
 * @param limits      bounds on the node's memory (connections, buffered bodies)
 * @param discovery   DNS discovery of endpoints
 * @param cluster     calibration sharing between nodes
 * @param reliability health, admission, retries and security
 * @param routing     the endpoint choice within a pool: affinity and load
 * @param observe     the access log and the log levels
 */
public record NodeConfig(DispatcherConfig dispatcher, ManagementConfig management, TlsConfig tls, NodeLimits limits,
    DiscoveryConfig discovery, ClusterConfig cluster, ReliabilityConfig reliability, RoutingConfig routing,
    ObserveSettings observe) {

  static final Sub<NodeConfig, DispatcherConfig> DISPATCHER = Sub.inline(DispatcherConfig.SECTION,
      NodeConfig::dispatcher);
  static final Sub<NodeConfig, ManagementConfig> MANAGEMENT = Sub.of(ManagementConfig.SECTION, NodeConfig::management);
  static final Sub<NodeConfig, TlsConfig> TLS = Sub.of(TlsConfig.SECTION, NodeConfig::tls);
  static final Sub<NodeConfig, NodeLimits> LIMITS = Sub.of(NodeLimits.SECTION, NodeConfig::limits);
  static final Sub<NodeConfig, DiscoveryConfig> DISCOVERY = Sub.of(DiscoveryConfig.SECTION, NodeConfig::discovery);
  static final Sub<NodeConfig, ClusterConfig> CLUSTER = Sub.of(ClusterConfig.SECTION, NodeConfig::cluster);
  static final Sub<NodeConfig, ReliabilityConfig> RELIABILITY = Sub.of(ReliabilityConfig.SECTION,
      NodeConfig::reliability);
  static final Sub<NodeConfig, RoutingConfig> ROUTING = Sub.of(RoutingConfig.SECTION, NodeConfig::routing);
  static final Sub<NodeConfig, ObserveSettings> OBSERVE = Sub.inline(ObserveSettings.SECTION, NodeConfig::observe);

  /** The whole file, top to bottom. */
  public static final Section<NodeConfig> TABLE = Section.of(null,
      v -> new NodeConfig(v.get(DISPATCHER), v.get(MANAGEMENT), v.get(TLS), v.get(LIMITS), v.get(DISCOVERY),
          v.get(CLUSTER), v.get(RELIABILITY), v.get(ROUTING), v.get(OBSERVE)),
      DISPATCHER, MANAGEMENT, TLS, LIMITS, DISCOVERY, CLUSTER, RELIABILITY, ROUTING, OBSERVE);

  /** {@code ./sluice dispatcher}: the table read from {@code --config FILE}, the environment and the flags. */
  public static final Binding<NodeConfig> BINDING = new Binding<>("sluice dispatcher", TABLE);

  /**
   * A node run inside a program (tests, the demo, benchmarks) rather than by {@code ./sluice dispatcher}: these
   * dispatcher and reliability settings, the defaults elsewhere, and the management listener on a free
   * loopback port, so that several such nodes never contend for 9464.
   */
  public static NodeConfig embedded(DispatcherConfig dispatcher, ReliabilityConfig reliability) {
    return new NodeConfig(dispatcher, ManagementConfig.DEFAULTS.withPort(0), TlsConfig.NONE, NodeLimits.DEFAULTS,
        DiscoveryConfig.DEFAULTS, ClusterConfig.defaults(), reliability, RoutingConfig.DEFAULTS, ObserveSettings.DEFAULTS);
  }

  public NodeConfig withDispatcher(DispatcherConfig value) {
    return TABLE.with(this, DISPATCHER, value);
  }

  public NodeConfig withRouting(RoutingConfig value) {
    return TABLE.with(this, ROUTING, value);
  }

  public NodeConfig withManagement(ManagementConfig value) {
    return TABLE.with(this, MANAGEMENT, value);
  }

  public NodeConfig withTls(TlsConfig value) {
    return TABLE.with(this, TLS, value);
  }

  public NodeConfig withLimits(NodeLimits value) {
    return TABLE.with(this, LIMITS, value);
  }

  public NodeConfig withDiscovery(DiscoveryConfig value) {
    return TABLE.with(this, DISCOVERY, value);
  }

  public NodeConfig withReliability(ReliabilityConfig value) {
    return TABLE.with(this, RELIABILITY, value);
  }

  /** Reads and checks the whole configuration; a bad value fails with a message naming its key. */
  public static NodeConfig load(String[] args, Map<String, String> env) {
    return BINDING.load(args, env).config();
  }
}
