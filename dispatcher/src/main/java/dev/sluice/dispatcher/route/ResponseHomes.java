package dev.sluice.dispatcher.route;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the node's recent Responses API answers were made: response id → pool and endpoint. vLLM keeps a response
 * (for {@code previous_response_id}) in the memory of the server that made it, so a request that continues one goes
 * to that pool and, while it is available, that endpoint; its prompt's true size is unknown to Sluice anyway.
 *
 * <p>Bounded in both count and age, per node (not shared in the cluster: a continuation that reaches another node
 * goes to its model's largest pool). Shared by the event loops; one short lock per Responses request.
 */
public final class ResponseHomes {
  /** Answers remembered at most: about 200 bytes each. */
  public static final int CAPACITY = 50_000;
  /** How long an answer is remembered: vLLM keeps its store in memory with no expiry of its own. */
  public static final long TTL_MILLIS = 3_600_000;

  /**
   * @param pool     the pool's name
   * @param endpoint the endpoint's URL
   */
  public record Home(String pool, String endpoint, long atNanos) {
  }

  private final int capacity;
  private final long ttlNanos;
  private final Map<String, Home> homes;

  public ResponseHomes() {
    this(CAPACITY, TTL_MILLIS);
  }

  public ResponseHomes(int capacity, long ttlMillis) {
    this.capacity = capacity;
    this.ttlNanos = ttlMillis * 1_000_000L;
    // insertion order: the eldest entry is the first to go
    this.homes = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Home> eldest) {
        return size() > ResponseHomes.this.capacity;
      }
    };
  }

  /** The answer {@code id} was made by {@code endpoint} of {@code pool}. */
  public void remember(String id, String pool, String endpoint) {
    Home home = new Home(pool, endpoint, System.nanoTime());
    synchronized (homes) {
      homes.put(id, home);
    }
  }

  /** Where answer {@code id} was made, or null when this node does not know it (any more). */
  public Home find(String id) {
    Home home;
    synchronized (homes) {
      home = homes.get(id);
    }
    return home == null || System.nanoTime() - home.atNanos() > ttlNanos ? null : home;
  }

  /** Answers remembered now. */
  public int size() {
    synchronized (homes) {
      return homes.size();
    }
  }
}
