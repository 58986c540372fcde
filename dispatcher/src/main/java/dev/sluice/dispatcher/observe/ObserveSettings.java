package dev.sluice.dispatcher.observe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.dispatcher.config.ConfigException;
import dev.sluice.dispatcher.config.ConfigNodes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code access_log:} and {@code logging:} sections. Sluice, Vert.x and Hazelcast all log through
 * java.util.logging (no other logging backend is on the class path), so one JUL root level plus per-logger
 * levels cover every component.
 *
 * @param accessLog   the access log
 * @param level       JUL level of the root logger ({@code SEVERE}, {@code WARNING}, {@code INFO}, {@code FINE}...)
 * @param loggers     logger name → level, e.g. {@code com.hazelcast: WARNING}
 */
public record ObserveSettings(AccessLogSettings accessLog, Level level, Map<String, Level> loggers) {
  public static final Level DEFAULT_LEVEL = Level.INFO;
  public static final ObserveSettings DEFAULTS = new ObserveSettings(AccessLogSettings.DEFAULTS, DEFAULT_LEVEL, Map.of());

  private static final Set<String> ACCESS_KEYS = Set.of("enabled", "queue");
  private static final Set<String> LOGGING_KEYS = Set.of("level", "loggers");
  /** JUL holds loggers weakly: a configured level must outlive the garbage collector. */
  private static final List<Logger> CONFIGURED = new ArrayList<>();

  public ObserveSettings {
    loggers = Map.copyOf(loggers);
  }

  /** Reads both sections from the whole configuration tree (file plus environment). */
  public static ObserveSettings fromRoot(JsonNode root) {
    AccessLogSettings access = AccessLogSettings.DEFAULTS;
    JsonNode a = root == null ? null : root.get("access_log");
    if (a != null && !a.isNull()) {
      ConfigNodes.mapping(a, "access_log", ACCESS_KEYS);
      boolean enabled = ConfigNodes.bool(a, "enabled", "access_log.enabled", access.enabled());
      int queue = ConfigNodes.integer(a, "queue", "access_log.queue", access.queue());
      if (queue <= 0) {
        throw new ConfigException("access_log.queue must be an integer > 0, got " + queue);
      }
      access = new AccessLogSettings(enabled, queue);
    }
    Level level = DEFAULT_LEVEL;
    Map<String, Level> loggers = new LinkedHashMap<>();
    JsonNode l = root == null ? null : root.get("logging");
    if (l != null && !l.isNull()) {
      ConfigNodes.mapping(l, "logging", LOGGING_KEYS);
      if (l.has("level")) {
        level = level(l.get("level"), "logging.level");
      }
      JsonNode named = l.get("loggers");
      if (named != null) {
        ConfigNodes.mapping(named, "logging.loggers", null);
        for (Iterator<String> it = named.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          loggers.put(name, level(named.get(name), "logging.loggers." + name));
        }
      }
    }
    return new ObserveSettings(access, level, loggers);
  }

  /** Sets the JUL levels (root logger and its handlers, then each named logger). */
  public void applyLogLevels() {
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    for (Handler h : root.getHandlers()) {
      h.setLevel(Level.ALL);
    }
    synchronized (CONFIGURED) {
      loggers.forEach((name, lv) -> {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(lv);
        CONFIGURED.add(logger);
      });
    }
  }

  private static Level level(JsonNode v, String key) {
    if (v == null || !v.isTextual()) {
      throw new ConfigException(key + " must be a level name (SEVERE, WARNING, INFO, FINE, FINER, FINEST, OFF, ALL)");
    }
    try {
      return Level.parse(v.asText().trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + " is not a level: '" + v.asText()
          + "' (SEVERE, WARNING, INFO, FINE, FINER, FINEST, OFF, ALL)");
    }
  }

}
