package dev.sluice.dispatcher.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

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
    return read(n, field, key, fallback, JsonNode::isTextual, "a string", JsonNode::asText);
  }

  public static int integer(JsonNode n, String field, String key, int fallback) {
    return read(n, field, key, fallback, v -> v.isIntegralNumber() && v.canConvertToInt(), "an integer",
        JsonNode::intValue);
  }

  public static double number(JsonNode n, String field, String key, double fallback) {
    return read(n, field, key, fallback, JsonNode::isNumber, "a number", JsonNode::doubleValue);
  }

  public static boolean bool(JsonNode n, String field, String key, boolean fallback) {
    return read(n, field, key, fallback, JsonNode::isBoolean, "true or false", JsonNode::booleanValue);
  }

  /** {@code field} of {@code n}, or {@code fallback} when absent or null; anything but {@code ok} is refused. */
  private static <T> T read(JsonNode n, String field, String key, T fallback, Predicate<JsonNode> ok, String what,
      Function<JsonNode, T> value) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!ok.test(v)) {
      throw new ConfigException(key + " must be " + what + ", got " + v);
    }
    return value.apply(v);
  }
}
