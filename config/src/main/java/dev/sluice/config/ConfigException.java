package dev.sluice.config;

/**
 * A configuration that cannot start. The message names what is wrong by its full key path
 * ({@code pools[1].context must be > 0}), its flag or its variable; {@code ./sluice dispatcher} prints it
 * and exits with status 2.
 */
public class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
