package dev.sluice.dispatcher.security;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * One configured client key, an item of {@code reliability.security.keys}. The key itself is never stored:
 * only its SHA-256, as 64 hex digits ({@code printf %s "$KEY" | sha256sum}, or {@code ./sluice hash-key}).
 * A key that could never match is refused however it is built.
 *
 * @param name              label for logs and metrics (never the key)
 * @param sha256Hex         SHA-256 of the key's UTF-8 bytes, hex
 * @param requestsPerMinute requests allowed per minute; 0 = no limit
 * @param tokensPerMinute   routing budget tokens (estimated prompt + output reserve) per minute; 0 = no limit
 */
public record ApiKey(String name, String sha256Hex, long requestsPerMinute, long tokensPerMinute) {
  static final Key<ApiKey, String> NAME = Key.of("name", Type.TEXT, ApiKey::name).required().notBlank()
      .doc("label for logs and metrics (never the key)");
  static final Key<ApiKey, String> SHA256 = Key.of("sha256", Type.TEXT, ApiKey::sha256Hex).required()
      .rule(ApiKey::isHash, "must be 64 hex digits")
      .doc("SHA-256 of the key, 64 hex digits (`./sluice hash-key`)");
  static final Key<ApiKey, Long> REQUESTS_PER_MINUTE = Key.of("requests_per_minute", Type.LONG,
      ApiKey::requestsPerMinute).byDefault(0L).atLeast(0).doc("requests allowed per minute; 0: no limit");
  static final Key<ApiKey, Long> TOKENS_PER_MINUTE = Key.of("tokens_per_minute", Type.LONG, ApiKey::tokensPerMinute)
      .byDefault(0L).atLeast(0)
      .doc("routing budget tokens (estimated prompt plus output reserve) per minute; 0: no limit");

  /** One item of {@code reliability.security.keys}. */
  public static final Section<ApiKey> SECTION = Section.of(null,
      v -> new ApiKey(v.get(NAME), v.get(SHA256), v.get(REQUESTS_PER_MINUTE), v.get(TOKENS_PER_MINUTE)),
      NAME, SHA256, REQUESTS_PER_MINUTE, TOKENS_PER_MINUTE);

  /** Whether {@code text} is a key's SHA-256 as the configuration stores it: 64 hex digits. */
  public static boolean isHash(String text) {
    return text.matches("[0-9a-fA-F]{64}");
  }

  public ApiKey {
    NAME.verify(name);
    SHA256.verify(sha256Hex);
    REQUESTS_PER_MINUTE.verify(requestsPerMinute);
    TOKENS_PER_MINUTE.verify(tokensPerMinute);
  }
}
