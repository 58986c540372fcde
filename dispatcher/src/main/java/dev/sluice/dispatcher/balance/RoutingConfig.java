package dev.sluice.dispatcher.balance;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a node chooses the endpoint within a pool: the {@code routing:} section (docs/routing.md).
 *
 * @param affinity           send a conversation's turns to the endpoint that holds its KV prefix
 * @param affinityPrefixBytes bytes of the opening hashed into the key of a request that names no conversation
 * @param affinityLoadFactor how far above the pool's mean load an endpoint may be and still take its keys
 * @param load               what an endpoint's load is, and how a request without a key is placed
 */
public record RoutingConfig(boolean affinity, int affinityPrefixBytes, double affinityLoadFactor, Load load) {

  /** What an endpoint's load counts. */
  public enum Load {
    /** Budget tokens in flight, the scraped queue and cache ({@link BudgetLoad}); the least loaded, or the pair. */
    BUDGET,
    /** Requests in flight plus the scraped queue; the least loaded endpoint (Sluice before budget weighting). */
    REQUESTS
  }

  /** Affinity on, 1 KiB of the opening, 1.25 times the mean, load in budget tokens. */
  public static final RoutingConfig DEFAULTS = new RoutingConfig(true, 1024, 1.25, Load.BUDGET);

  static final Key<RoutingConfig, Boolean> AFFINITY = Key.of("affinity", Type.SWITCH, RoutingConfig::affinity)
      .byDefault(true).flag("--routing-affinity", "on/off").doc("`on`: a conversation's turns go to the endpoint that holds its KV prefix, within the "
          + "load bound; `off`: every request by load alone");
  static final Key<RoutingConfig, Integer> PREFIX_BYTES = Key.of("affinity_prefix_bytes", Type.INTEGER,
      RoutingConfig::affinityPrefixBytes).byDefault(1024).atLeast(0)
      .doc("without `prompt_cache_key`, `x-session-id` or `user`, the key is the hash of the conversation's opening "
          + "(prompt text up to the end of the first user message, as the body carries it), at most this many bytes of "
          + "it; 0: no such key");
  static final Key<RoutingConfig, Double> LOAD_FACTOR = Key.of("affinity_load_factor", Type.NUMBER,
      RoutingConfig::affinityLoadFactor).byDefault(1.25).atLeast(1)
      .doc("an endpoint above this many times the pool's mean load passes its keys to the next in their order");

  static final Key<RoutingConfig, Load> LOAD = Key.of("load", Type.choice(loadWords()), RoutingConfig::load)
      .byDefault(Load.BUDGET).doc("`budget`: an endpoint's load is the budget tokens in flight with the scraped queue "
          + "and cache, and a request without a key goes to the least loaded endpoint (in a pool of more than 8, the "
          + "less loaded of two drawn at random); "
          + "`requests`: the requests in flight plus the scraped queue, and the least loaded endpoint");

  /** The {@code routing:} section. */
  public static final Section<RoutingConfig> SECTION = Section.of("routing",
      v -> new RoutingConfig(v.get(AFFINITY), v.get(PREFIX_BYTES), v.get(LOAD_FACTOR), v.get(LOAD)),
      AFFINITY, PREFIX_BYTES, LOAD_FACTOR, LOAD)
      .doc("`routing:`", "Which endpoint of the chosen pool serves a request (docs/routing.md explains the choice).");

  private static Map<String, Load> loadWords() {
    Map<String, Load> words = new LinkedHashMap<>();
    words.put("budget", Load.BUDGET);
    words.put("requests", Load.REQUESTS);
    return words;
  }
}
