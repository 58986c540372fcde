package dev.sluice.dispatcher.config;

import dev.sluice.cluster.ClusterConfig;
import dev.sluice.config.Binding;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.dispatcher.balance.RoutingConfig;
import dev.sluice.dispatcher.observe.ObserveSettings;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import java.util.Map;

/**
 * Everything a dispatcher node is configured with, and the root of the key table: the dispatcher's own
 * keys at the top level, then the {@code cluster:}, {@code reliability:}, {@code routing:}, {@code access_log:}
 * and {@code logging:} sections. Each key is defined once, in the record it fills (follow the sections from
 * here); the YAML keys, the {@code SLUICE_*} variables, the flags of {@code ./sluice dispatcher} and the
 * tables of docs/configuration.md all come from those definitions.
 *
 * @param dispatcher  the HTTP front, upstream timeouts and pools
 * @param cluster     calibration sharing between nodes
 * @param reliability health, admission, retries and security
 * @param routing     the endpoint choice within a pool: affinity and load
 * @param observe     the access log and the log levels
 */
public record NodeConfig(DispatcherConfig dispatcher, ClusterConfig cluster, ReliabilityConfig reliability,
    RoutingConfig routing, ObserveSettings observe) {

  static final Sub<NodeConfig, DispatcherConfig> DISPATCHER = Sub.inline(DispatcherConfig.SECTION,
      NodeConfig::dispatcher);
  static final Sub<NodeConfig, ClusterConfig> CLUSTER = Sub.of(ClusterConfig.SECTION, NodeConfig::cluster);
  static final Sub<NodeConfig, ReliabilityConfig> RELIABILITY = Sub.of(ReliabilityConfig.SECTION,
      NodeConfig::reliability);
  static final Sub<NodeConfig, RoutingConfig> ROUTING = Sub.of(RoutingConfig.SECTION, NodeConfig::routing);
  static final Sub<NodeConfig, ObserveSettings> OBSERVE = Sub.inline(ObserveSettings.SECTION, NodeConfig::observe);

  /** The whole file, top to bottom. */
  public static final Section<NodeConfig> TABLE = Section.of(null,
      v -> new NodeConfig(v.get(DISPATCHER), v.get(CLUSTER), v.get(RELIABILITY), v.get(ROUTING), v.get(OBSERVE)),
      DISPATCHER, CLUSTER, RELIABILITY, ROUTING, OBSERVE);

  /** {@code ./sluice dispatcher}: the table read from {@code --config FILE}, the environment and the flags. */
  public static final Binding<NodeConfig> BINDING = new Binding<>("sluice dispatcher", TABLE);

  /** Reads and checks the whole configuration; a bad value fails with a message naming its key. */
  public static NodeConfig load(String[] args, Map<String, String> env) {
    return BINDING.load(args, env).config();
  }
}
