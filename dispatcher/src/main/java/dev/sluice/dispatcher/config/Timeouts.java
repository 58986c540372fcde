package dev.sluice.dispatcher.config;

/**
 * Upstream timeouts, in milliseconds.
 *
 * @param connectMs     TCP connect to an endpoint
 * @param firstByteMs   from sending a request to the upstream's response headers
 * @param streamIdleMs  longest gap between two response chunks
 * @param modelsMs      each upstream's answer to {@code GET /v1/models}
 */
public record Timeouts(int connectMs, int firstByteMs, int streamIdleMs, int modelsMs) {
  public static final Timeouts DEFAULTS = new Timeouts(Defaults.CONNECT_TIMEOUT_MS, Defaults.FIRST_BYTE_TIMEOUT_MS,
      Defaults.STREAM_IDLE_TIMEOUT_MS, Defaults.MODELS_TIMEOUT_MS);

  void validate() {
    ConfigException.require(connectMs > 0, "timeouts.connect_ms must be > 0");
    ConfigException.require(firstByteMs > 0, "timeouts.first_byte_ms must be > 0");
    ConfigException.require(streamIdleMs > 0, "timeouts.stream_idle_ms must be > 0");
    ConfigException.require(modelsMs > 0, "timeouts.models_ms must be > 0");
  }
}
