package dev.sluice.dispatcher.observe;

import dev.sluice.config.Group;
import dev.sluice.config.Key;
import dev.sluice.config.MapOf;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.config.Type;
import dev.sluice.dispatcher.trace.TracingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code access_log:}, {@code logging:} and {@code tracing:} sections. Sluice, Vert.x and Hazelcast all log through
 * java.util.logging (no other logging backend is on the class path), so one JUL root level plus per-logger
 * levels cover every component.
 *
 * @param accessLog   the access log
 * @param level       JUL level of the root logger ({@code SEVERE}, {@code WARNING}, {@code INFO}, {@code FINE}...)
 * @param loggers     logger name → level, e.g. {@code com.hazelcast: WARNING}
 * @param tracing     OpenTelemetry spans of the requests, exported over OTLP
 */
public record ObserveSettings(AccessLogSettings accessLog, Level level, Map<String, Level> loggers,
    TracingConfig tracing) {
  private static final String LEVELS = "SEVERE, WARNING, INFO, FINE, FINER, FINEST, OFF, ALL";
  private static final Type<Level> LEVEL = Type.TEXT.map("a level name (" + LEVELS + ")",
      s -> Level.parse(s.trim().toUpperCase(Locale.ROOT)), Level::getName);

  static final Sub<ObserveSettings, AccessLogSettings> ACCESS_LOG = Sub.of(AccessLogSettings.SECTION,
      ObserveSettings::accessLog);
  static final Key<ObserveSettings, Level> ROOT_LEVEL = Key.of("level", LEVEL, ObserveSettings::level)
      .byDefault(Level.INFO)
      .doc("java.util.logging level of the root logger (`SEVERE`, `WARNING`, `INFO`, `FINE`, ...). Sluice, "
          + "Vert.x and Hazelcast all log through it");
  static final MapOf<ObserveSettings, Level> LOGGERS = MapOf.of("loggers", LEVEL, ObserveSettings::loggers)
      .doc("logger name → level, e.g. `com.hazelcast: WARNING`, `io.vertx: FINE`");

  static final Sub<ObserveSettings, TracingConfig> TRACING = Sub.of(TracingConfig.SECTION, ObserveSettings::tracing);

  /** The {@code access_log:}, {@code logging:} and {@code tracing:} sections, at the top level. */
  public static final Section<ObserveSettings> SECTION = Section.of(null,
          v -> new ObserveSettings(v.get(ACCESS_LOG), v.get(ROOT_LEVEL), v.get(LOGGERS), v.get(TRACING)),
          ACCESS_LOG, Group.of("logging", ROOT_LEVEL, LOGGERS), TRACING)
      .doc("`access_log:`, `logging:` and `tracing:`", "");

  public static final ObserveSettings DEFAULTS = SECTION.defaults();

  /** JUL holds loggers weakly: a configured level must outlive the garbage collector. */
  private static final List<Logger> CONFIGURED = new ArrayList<>();

  public ObserveSettings {
    loggers = Map.copyOf(loggers);
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
}
