package dev.sluice.dispatcher.config;

import dev.sluice.config.Key;
import dev.sluice.config.ListOf;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.config.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The dispatcher's own keys, at the top level of the file: the HTTP front, the upstream timeouts and the
 * pools. Immutable; bound with the rest of a node's configuration by {@code dev.sluice.dispatcher.NodeConfig},
 * or built in code and checked by {@link #validated()} before anything starts.
 *
 * @param host                 address the HTTP front binds to
 * @param port                 its port (0 picks a free one)
 * @param pools                upstream pools, ordered by context, smallest first
 * @param models               the models served, each with its ladder of pools; empty: one implicit model, any
 *                             name, every pool
 * @param bodyCapBytes         largest accepted request body
 * @param defaultOutputReserve output tokens assumed when a request names no max_tokens
 * @param timeouts             upstream timeouts
 * @param modelsCacheMillis    how long the merged answer to {@code GET /v1/models} is kept
 * @param estimator            the estimate that routes, and the exact count at pool boundaries
 */
public record DispatcherConfig(
    String host,
    int port,
    List<PoolConfig> pools,
    List<ModelConfig> models,
    int bodyCapBytes,
    int defaultOutputReserve,
    Timeouts timeouts,
    long modelsCacheMillis,
    EstimatorSettings estimator) {

  static final Key<DispatcherConfig, String> HOST =
      Key.of("host", Type.TEXT, DispatcherConfig::host).byDefault("0.0.0.0")
      .notBlank().flag("--host", "ADDR").doc("address the HTTP front binds to");
  static final Key<DispatcherConfig, Integer> PORT =
      Key.of("port", Type.INTEGER, DispatcherConfig::port).byDefault(8080)
      .within(0, 65535).flag("--port", "N").doc("the HTTP front's port (`0` picks a free one)");
  /** Long-context chat bodies stay well under 8 MiB. */
  static final Key<DispatcherConfig, Integer> BODY_CAP_BYTES = Key.of("body_cap_bytes", Type.INTEGER,
          DispatcherConfig::bodyCapBytes).byDefault(8 * 1024 * 1024).positive()
      .doc("largest request body; a larger declared `Content-Length` is refused with 413 before reading, a "
          + "larger streamed body as soon as it passes the cap");
  /**
   * Such a request is routed as if it had asked for this many; on the pool it lands on, vLLM lets it generate
   * up to that pool's context minus the prompt. A modest reserve keeps ordinary chats on the short pool while
   * leaving room for a typical answer (docs/configuration.md, "What a missing max_tokens means").
   */
  static final Key<DispatcherConfig, Integer> DEFAULT_OUTPUT_RESERVE = Key.of("default_output_reserve", Type.INTEGER,
          DispatcherConfig::defaultOutputReserve).byDefault(1024).atLeast(0)
      .doc("output tokens assumed when a request names neither `max_tokens` nor `max_completion_tokens` "
          + "(see below)");
  static final Key<DispatcherConfig, Long> MODELS_CACHE_MS = Key.of("models_cache_ms", Type.LONG,
          DispatcherConfig::modelsCacheMillis).byDefault(10_000L).atLeast(0)
      .doc("how long the merged answer to `GET /v1/models` is kept before the endpoints are asked again; `0`: "
          + "asked every time (the lookups of requests arriving meanwhile are shared either way)");
  static final Sub<DispatcherConfig, Timeouts> TIMEOUTS = Sub.of(Timeouts.SECTION, DispatcherConfig::timeouts);
  static final Sub<DispatcherConfig, EstimatorSettings> ESTIMATOR = Sub.of(EstimatorSettings.SECTION,
      DispatcherConfig::estimator);
  /** Only a default for the pools: a pool's own keys win. */
  static final Sub<DispatcherConfig, ClientLimits> CLIENT = Sub.of(ClientLimits.SECTION, null);
  static final ListOf<DispatcherConfig, PoolConfig> POOLS = ListOf.of("pools", PoolConfig.SECTION,
          DispatcherConfig::pools)
      .defaultsFrom(CLIENT)
      .nonEmpty("must name at least one pool (file 'pools:' or --pool " + PoolConfig.SPEC + ")")
      .unique(PoolConfig.NAME, name -> "'" + name + "' is used by another pool")
      .unique(PoolConfig.CONTEXT, context -> context + " equals another pool's; each pool needs its own context size")
      .flag("--pool", PoolConfig.SPEC, PoolConfig::parseSpec, PoolConfig.NAME)
      .doc("the pools, in any order; the node orders them by context. `--pool` replaces the file's pool of "
          + "the same name, else adds one");
  static final ListOf<DispatcherConfig, ModelConfig> MODELS = ListOf.of("models", ModelConfig.SECTION,
          DispatcherConfig::models)
      .doc("the models the node serves, each with its own ladder of pools (see \"Many models\" below); none: "
          + "one model under any name, over every pool");

  /** The top-level keys of the dispatcher. */
  public static final Section<DispatcherConfig> SECTION = Section.of(null,
          v -> new DispatcherConfig(v.get(HOST), v.get(PORT), v.get(POOLS), v.get(MODELS), v.get(BODY_CAP_BYTES),
              v.get(DEFAULT_OUTPUT_RESERVE), v.get(TIMEOUTS), v.get(MODELS_CACHE_MS), v.get(ESTIMATOR)).ordered(),
          HOST, PORT, BODY_CAP_BYTES, DEFAULT_OUTPUT_RESERVE, MODELS_CACHE_MS, TIMEOUTS, ESTIMATOR, CLIENT, POOLS,
          MODELS)
      .rule(DispatcherConfig::modelsProblem, MODELS)
      .doc("the dispatcher", "");

  private static final DispatcherConfig DEFAULTS = SECTION.defaults();

  public DispatcherConfig {
    pools = List.copyOf(pools);
    models = List.copyOf(models);
  }

  /** What is wrong across {@code models:} and {@code pools:}, or null: a name used twice, a pool not defined. */
  private static String modelsProblem(DispatcherConfig config) {
    Set<String> pools = new HashSet<>();
    config.pools().forEach(p -> pools.add(p.name()));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < config.models().size(); i++) {
      ModelConfig model = config.models().get(i);
      for (String name : model.names()) {
        if (!names.add(name)) {
          return "[" + i + "] '" + name + "' already names another model or alias";
        }
      }
      for (String pool : model.pools()) {
        if (!pools.contains(pool)) {
          return "[" + i + "].pools '" + pool + "' is not a pool in 'pools:'";
        }
      }
    }
    return null;
  }

  /** Defaults everywhere, with no pools yet. */
  public static DispatcherConfig defaults() {
    return DEFAULTS;
  }

  public DispatcherConfig withHost(String value) {
    return SECTION.with(this, HOST, value);
  }

  public DispatcherConfig withPort(int value) {
    return SECTION.with(this, PORT, value);
  }

  /** These pools, ordered by context like every bound configuration's. */
  public DispatcherConfig withPools(List<PoolConfig> value) {
    return SECTION.with(this, POOLS, value);
  }

  public DispatcherConfig withModels(List<ModelConfig> value) {
    return SECTION.with(this, MODELS, value);
  }

  public DispatcherConfig withBodyCapBytes(int value) {
    return SECTION.with(this, BODY_CAP_BYTES, value);
  }

  public DispatcherConfig withDefaultOutputReserve(int value) {
    return SECTION.with(this, DEFAULT_OUTPUT_RESERVE, value);
  }

  public DispatcherConfig withModelsCacheMillis(long value) {
    return SECTION.with(this, MODELS_CACHE_MS, value);
  }

  public DispatcherConfig withTimeouts(Timeouts value) {
    return SECTION.with(this, TIMEOUTS, value);
  }

  public DispatcherConfig withEstimator(EstimatorSettings value) {
    return SECTION.with(this, ESTIMATOR, value);
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
   * @throws dev.sluice.config.ConfigException naming the first offending key
   */
  public DispatcherConfig validated() {
    return SECTION.check(this).ordered();
  }

  private DispatcherConfig ordered() {
    List<PoolConfig> sorted = new ArrayList<>(pools);
    sorted.sort(Comparator.comparingInt(PoolConfig::context));
    return new DispatcherConfig(host, port, sorted, models, bodyCapBytes, defaultOutputReserve, timeouts,
        modelsCacheMillis, estimator);
  }
}
