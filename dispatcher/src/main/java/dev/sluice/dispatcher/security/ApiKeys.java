package dev.sluice.dispatcher.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Optional bearer-key authentication. The presented key is hashed and compared with every stored hash
 * in constant time, so neither the comparison nor the position of the matching entry leaks timing.
 * With no keys configured, authentication is off and every request passes as {@link #ANONYMOUS}.
 */
public final class ApiKeys {

  /** The identity of every request when no keys are configured. */
  public static final ApiKey ANONYMOUS = new ApiKey("anonymous", "0".repeat(64), 0, 0);

  private static final String BEARER = "bearer ";

  private final ApiKey[] keys;
  private final byte[][] digests;

  public ApiKeys(List<ApiKey> keys) {
    this.keys = keys.toArray(new ApiKey[0]);
    this.digests = new byte[this.keys.length][];
    for (int i = 0; i < this.keys.length; i++) {
      digests[i] = HexFormat.of().parseHex(this.keys[i].sha256Hex().toLowerCase());
    }
  }

  /** Keys known only by their SHA-256 hashes (64 hex digits each), all under one name; none: off. */
  public static ApiKeys ofHashes(String name, List<String> hashes) {
    return new ApiKeys(hashes.stream().map(h -> new ApiKey(name, h, 0, 0)).toList());
  }

  public boolean enabled() {
    return keys.length > 0;
  }

  /**
   * The key an {@code Authorization} header value authenticates, {@link #ANONYMOUS} when keys are off,
   * or null when keys are on and the header is missing, malformed or unknown (answer 401
   * {@code invalid_api_key}).
   */
  public ApiKey authenticate(String authorization) {
    if (!enabled()) {
      return ANONYMOUS;
    }
    if (authorization == null || authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return match(authorization.substring(BEARER.length()));
  }

  /**
   * The key presented bare, as Anthropic's clients send it in {@code x-api-key}: {@link #ANONYMOUS} when keys are
   * off, null when it is missing or unknown.
   */
  public ApiKey authenticateKey(String key) {
    if (!enabled()) {
      return ANONYMOUS;
    }
    return key == null ? null : match(key);
  }

  private ApiKey match(String key) {
    byte[] presented = sha256(key.trim());
    ApiKey match = null;
    for (int i = 0; i < keys.length; i++) {
      // every entry is compared, matching or not, so the time does not depend on the position
      if (MessageDigest.isEqual(presented, digests[i]) & match == null) {
        match = keys[i];
      }
    }
    return match;
  }

  /** SHA-256 of a key as 64 hex digits: the form the configuration stores. */
  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is required of every JRE", impossible);
    }
  }
}
