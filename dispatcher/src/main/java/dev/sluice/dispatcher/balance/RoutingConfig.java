package dev.sluice.dispatcher.balance;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * How a node chooses the endpoint within a pool: the {@code routing:} section (docs/routing.md).
 *
 * @param affinity           send a conversation's turns to the endpoint that holds its KV prefix
 * @param affinityPrefixBytes bytes of the opening hashed into the key of a request that names no conversation
 * @param affinityLoadFactor how far above the pool's mean load an endpoint may be and still take its keys
 */
public record RoutingConfig(boolean affinity, int affinityPrefixBytes, double affinityLoadFactor) {

  /** Affinity on, 1 KiB of prompt, 1.25 times the mean. */
  public static final RoutingConfig DEFAULTS = new RoutingConfig(true, 1024, 1.25);

  static final Key<RoutingConfig, Boolean> AFFINITY = Key.of("affinity", Type.SWITCH, RoutingConfig::affinity)
      .byDefault(true).flag("--routing-affinity", "on/off").doc("`on`: a conversation's turns go to the endpoint that holds its KV prefix, within the "
          + "load bound; `off`: every request by load alone");
  static final Key<RoutingConfig, Integer> PREFIX_BYTES = Key.of("affinity_prefix_bytes", Type.INTEGER,
      RoutingConfig::affinityPrefixBytes).byDefault(1024).atLeast(0)
      .doc("without `prompt_cache_key`, `x-session-id` or `user`, the key is the hash of the conversation's opening "
          + "(prompt text up to the end of the first user message), at most this many bytes of it; 0: no such key");
  static final Key<RoutingConfig, Double> LOAD_FACTOR = Key.of("affinity_load_factor", Type.NUMBER,
      RoutingConfig::affinityLoadFactor).byDefault(1.25).atLeast(1)
      .doc("an endpoint above this many times the pool's mean load passes its keys to the next in their order");

  /** The {@code routing:} section. */
  public static final Section<RoutingConfig> SECTION = Section.of("routing",
      v -> new RoutingConfig(v.get(AFFINITY), v.get(PREFIX_BYTES), v.get(LOAD_FACTOR)),
      AFFINITY, PREFIX_BYTES, LOAD_FACTOR)
      .doc("`routing:`", "Which endpoint of the chosen pool serves a request (docs/routing.md explains the choice).");
}
