package dev.sluice.dispatcher.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole configuration of one dispatcher node. Immutable; built by {@link ConfigLoader} or in code,
 * validated once by {@link #validated()} before anything starts.
 *
 * @param host                 address the HTTP front binds to
 * @param port                 its port (0 picks a free one)
 * @param pools                upstream pools, ordered by context, smallest first
 * @param bodyCapBytes         largest accepted request body
 * @param defaultOutputReserve output tokens assumed when a request names no max_tokens (see {@link Defaults})
 * @param timeouts             upstream timeouts
 */
public record DispatcherConfig(
    String host,
    int port,
    List<PoolConfig> pools,
    int bodyCapBytes,
    int defaultOutputReserve,
    Timeouts timeouts) {

  public DispatcherConfig {
    pools = List.copyOf(pools);
  }

  /** Defaults everywhere, with no pools yet. */
  public static DispatcherConfig defaults() {
    return new DispatcherConfig(Defaults.HOST, Defaults.PORT, List.of(), Defaults.BODY_CAP_BYTES,
        Defaults.DEFAULT_OUTPUT_RESERVE, Timeouts.DEFAULTS);
  }

  public DispatcherConfig withHost(String value) {
    return new DispatcherConfig(value, port, pools, bodyCapBytes, defaultOutputReserve, timeouts);
  }

  public DispatcherConfig withPort(int value) {
    return new DispatcherConfig(host, value, pools, bodyCapBytes, defaultOutputReserve, timeouts);
  }

  public DispatcherConfig withPools(List<PoolConfig> value) {
    return new DispatcherConfig(host, port, value, bodyCapBytes, defaultOutputReserve, timeouts);
  }

  public DispatcherConfig withBodyCapBytes(int value) {
    return new DispatcherConfig(host, port, pools, value, defaultOutputReserve, timeouts);
  }

  public DispatcherConfig withDefaultOutputReserve(int value) {
    return new DispatcherConfig(host, port, pools, bodyCapBytes, value, timeouts);
  }

  public DispatcherConfig withTimeouts(Timeouts value) {
    return new DispatcherConfig(host, port, pools, bodyCapBytes, defaultOutputReserve, value);
  }

  /** Replaces the pool of the same name, or adds it. */
  public DispatcherConfig withPool(PoolConfig pool) {
    List<PoolConfig> next = new ArrayList<>(pools.size() + 1);
    boolean replaced = false;
    for (PoolConfig p : pools) {
      if (p.name().equals(pool.name())) {
        next.add(pool);
        replaced = true;
      } else {
        next.add(p);
      }
    }
    if (!replaced) {
      next.add(pool);
    }
    return withPools(next);
  }

  /**
   * Checks every key and returns the same configuration with its pools ordered by context.
   *
   * @throws ConfigException naming the first offending key
   */
  public DispatcherConfig validated() {
    ConfigException.require(host != null && !host.isBlank(), "host must not be empty");
    ConfigException.require(port >= 0 && port <= 65535, "port must be within 0..65535");
    ConfigException.require(bodyCapBytes > 0, "body_cap_bytes must be > 0");
    ConfigException.require(defaultOutputReserve >= 0, "default_output_reserve must be >= 0");
    ConfigException.require(timeouts != null, "timeouts must be set");
    timeouts.validate();
    ConfigException.require(!pools.isEmpty(), "pools must name at least one pool (file 'pools:' or --pool NAME=CONTEXT@URL)");
    Set<String> names = new HashSet<>();
    Set<Integer> contexts = new HashSet<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolConfig p = pools.get(i);
      String at = "pools[" + i + "]";
      ConfigException.require(p != null, at + " must not be empty");
      p.validate(at);
      ConfigException.require(names.add(p.name()), at + ".name '" + p.name() + "' is used by another pool");
      ConfigException.require(contexts.add(p.context()),
          at + ".context " + p.context() + " equals another pool's; each pool needs its own context size");
    }
    List<PoolConfig> ordered = new ArrayList<>(pools);
    ordered.sort(Comparator.comparingInt(PoolConfig::context));
    return withPools(ordered);
  }
}
