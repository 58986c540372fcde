package dev.sluice.dispatcher.config;

/**
 * Limits of the HTTP client a pool uses towards its endpoints.
 *
 * @param maxConnectionsPerEndpoint pooled connections to one endpoint
 * @param maxWaitQueue              requests allowed to wait for a connection; more fail fast (503)
 */
public record ClientLimits(int maxConnectionsPerEndpoint, int maxWaitQueue) {
  public static final ClientLimits DEFAULTS =
      new ClientLimits(Defaults.MAX_CONNECTIONS_PER_ENDPOINT, Defaults.MAX_WAIT_QUEUE);

  void validate(String at) {
    ConfigException.require(maxConnectionsPerEndpoint > 0, at + ".max_connections_per_endpoint must be > 0");
    ConfigException.require(maxWaitQueue >= 0, at + ".max_wait_queue must be >= 0");
  }
}
