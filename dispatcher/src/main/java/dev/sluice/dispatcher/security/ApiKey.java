package dev.sluice.dispatcher.security;

/**
 * One configured client key. The key itself is never stored: only its SHA-256, as 64 hex digits
 * ({@code printf %s "$KEY" | sha256sum}).
 *
 * @param name              label for logs and metrics (never the key)
 * @param sha256Hex         SHA-256 of the key's UTF-8 bytes, hex
 * @param requestsPerMinute requests allowed per minute; 0 = no limit
 * @param tokensPerMinute   routing budget tokens (estimated prompt + output reserve) per minute; 0 = no limit
 */
public record ApiKey(String name, String sha256Hex, long requestsPerMinute, long tokensPerMinute) {

  public ApiKey {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("security.keys[].name is required");
    }
    if (sha256Hex == null || !sha256Hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("security.keys[" + name + "].sha256 must be 64 hex digits");
    }
    if (requestsPerMinute < 0 || tokensPerMinute < 0) {
      throw new IllegalArgumentException("security.keys[" + name + "] limits must be >= 0");
    }
  }
}
