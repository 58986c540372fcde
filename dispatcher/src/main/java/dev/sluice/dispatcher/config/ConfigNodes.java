package dev.sluice.dispatcher.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/**
 * Typed reads from a parsed configuration tree, shared by every section's loader. Each failure is a
 * {@link ConfigException} that names the full key, so a typo or a wrong type is found at start.
 */
public final class ConfigNodes {
  private ConfigNodes() {
  }

  /** Refuses anything but a mapping at {@code key}. */
  public static void requireObject(JsonNode n, String key) {
    if (n == null || !n.isObject()) {
      throw new ConfigException(key + " must be a mapping");
    }
  }

  /** A mapping at {@code key} whose keys are all in {@code allowed} (null: any key, e.g. a map of names). */
  public static void mapping(JsonNode n, String key, Set<String> allowed) {
    requireObject(n, key);
    if (allowed != null) {
      checkKeys(n, allowed, key + ".");
    }
  }

  /** Refuses keys outside {@code allowed}; {@code prefix} is prepended to the key in the message. */
  public static void checkKeys(JsonNode n, Set<String> allowed, String prefix) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new ConfigException(prefix + k + " is not a known key (known: "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  public static String text(JsonNode n, String field, String key, String fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new ConfigException(key + " must be a string, got " + v);
    }
    return v.asText();
  }

  public static int integer(JsonNode n, String field, String key, int fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new ConfigException(key + " must be an integer, got " + v);
    }
    return v.intValue();
  }

  public static double number(JsonNode n, String field, String key, double fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new ConfigException(key + " must be a number, got " + v);
    }
    return v.doubleValue();
  }

  public static boolean bool(JsonNode n, String field, String key, boolean fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new ConfigException(key + " must be true or false, got " + v);
    }
    return v.booleanValue();
  }
}
