package dev.sluice.dispatcher.config;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * Limits of the HTTP client a pool uses towards its endpoints: the {@code client:} section (defaults for
 * every pool) and the same keys in each pool.
 *
 * @param maxConnectionsPerEndpoint pooled connections to one endpoint
 * @param maxWaitQueue              requests allowed to wait for a connection; more fail fast (503)
 */
public record ClientLimits(int maxConnectionsPerEndpoint, int maxWaitQueue) {
  /** Vert.x's default of 5 is far too few for streams. */
  static final Key<ClientLimits, Integer> MAX_CONNECTIONS_PER_ENDPOINT =
      Key.of("max_connections_per_endpoint", Type.INTEGER,
          ClientLimits::maxConnectionsPerEndpoint).byDefault(512).positive()
      .doc("pooled HTTP/1.1 connections to one endpoint. Each in-flight request (a stream included) holds one. "
          + "Spread over the event loops: each loop keeps its own share (rounded up), so a request never leaves "
          + "its loop for a connection");
  static final Key<ClientLimits, Integer> MAX_WAIT_QUEUE =
      Key.of("max_wait_queue", Type.INTEGER, ClientLimits::maxWaitQueue)
      .byDefault(256).atLeast(0)
      .doc("requests that may wait for a connection to one endpoint; beyond it a request fails at once with "
          + "503 `pool_busy` (no unbounded queue). Spread over the event loops like the connections");

  public static final Section<ClientLimits> SECTION = Section.of("client",
      v -> new ClientLimits(v.get(MAX_CONNECTIONS_PER_ENDPOINT), v.get(MAX_WAIT_QUEUE)),
      MAX_CONNECTIONS_PER_ENDPOINT, MAX_WAIT_QUEUE);

  public static final ClientLimits DEFAULTS = SECTION.defaults();
}
