package dev.sluice.dispatcher.security;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import dev.sluice.dispatcher.admission.Priority;

/**
 * One configured client key, an item of {@code reliability.security.keys}. The key itself is never stored:
 * only its SHA-256, as 64 hex digits ({@code printf %s "$KEY" | sha256sum}, or {@code ./sluice hash-key}).
 * A key that could never match is refused however it is built.
 *
 * @param name              label for logs and metrics (never the key)
 * @param sha256Hex         SHA-256 of the key's UTF-8 bytes, hex
 * @param requestsPerMinute requests allowed per minute; 0 = no limit
 * @param tokensPerMinute   routing budget tokens (estimated prompt + output reserve) per minute; 0 = no limit
 * @param priority          the class of its requests at admission when they name none
 * @param maxPriority       the highest class its requests may ask for with {@code x-sluice-priority} (any
 *                          request may ask for a lower one)
 */
public record ApiKey(String name, String sha256Hex, long requestsPerMinute, long tokensPerMinute, Priority priority,
    Priority maxPriority) {
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
  static final Key<ApiKey, Priority> PRIORITY = Key.of("priority", Type.choice(Priority.words()), ApiKey::priority)
      .byDefault(Priority.NORMAL).doc("class of the key's requests when a pool is saturated: `high`, `normal`, `low`");
  static final Key<ApiKey, Priority> MAX_PRIORITY = Key.of("max_priority", Type.choice(Priority.words()),
      ApiKey::maxPriority).doc("highest class a request may ask for with `x-sluice-priority` (a lower one it always "
      + "may); unset: the key's `priority`");

  /** One item of {@code reliability.security.keys}. */
  public static final Section<ApiKey> SECTION = Section.of(null,
      v -> new ApiKey(v.get(NAME), v.get(SHA256), v.get(REQUESTS_PER_MINUTE), v.get(TOKENS_PER_MINUTE),
          v.get(PRIORITY), v.get(MAX_PRIORITY)),
      NAME, SHA256, REQUESTS_PER_MINUTE, TOKENS_PER_MINUTE, PRIORITY, MAX_PRIORITY);

  /** Whether {@code text} is a key's SHA-256 as the configuration stores it: 64 hex digits. */
  public static boolean isHash(String text) {
    return text.matches("[0-9a-fA-F]{64}");
  }

  public ApiKey {
    NAME.verify(name);
    SHA256.verify(sha256Hex);
    REQUESTS_PER_MINUTE.verify(requestsPerMinute);
    TOKENS_PER_MINUTE.verify(tokensPerMinute);
    if (priority == null) {
      priority = Priority.NORMAL;
    }
    if (maxPriority == null) {
      maxPriority = priority;
    } else if (priority.above(maxPriority)) {
      throw MAX_PRIORITY.invalid("must not be below priority (" + priority.label() + ")");
    }
  }

  /** A key of class {@code normal} that may not ask for more. */
  public ApiKey(String name, String sha256Hex, long requestsPerMinute, long tokensPerMinute) {
    this(name, sha256Hex, requestsPerMinute, tokensPerMinute, Priority.NORMAL, Priority.NORMAL);
  }
}
