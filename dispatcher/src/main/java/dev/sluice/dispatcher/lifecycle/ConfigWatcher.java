package dev.sluice.dispatcher.lifecycle;

import dev.sluice.dispatcher.config.DispatcherConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reloads the pools when the configuration file changes (a modification-time check every
 * {@link #DEFAULT_CHECK_MS}, run off the event loops) or on SIGHUP. The file is read and validated
 * completely first: an invalid file is logged and the running configuration stays as it was.
 */
public final class ConfigWatcher {
  public static final long DEFAULT_CHECK_MS = 2_000;
  private static final Logger LOG = Logger.getLogger("dev.sluice.dispatcher.reload");

  /** What a reload did: applied (with the keys that need a restart), or rejected with the reason. */
  public record Outcome(boolean applied, List<String> restartOnly, String error) {
  }

  private final Vertx vertx;
  private final Path file;
  private final Callable<DispatcherConfig> load;
  private final Function<DispatcherConfig, List<String>> apply;
  private volatile FileTime seen;
  private long timer = -1;

  /**
   * @param file  the file whose changes trigger a reload (null: only SIGHUP)
   * @param load  reads file, environment and flags into a configuration; throws on an invalid one
   * @param apply takes a configuration, returns the changed keys that need a restart
   */
  public ConfigWatcher(Vertx vertx, Path file, Callable<DispatcherConfig> load,
      Function<DispatcherConfig, List<String>> apply) {
    this.vertx = vertx;
    this.file = file;
    this.load = load;
    this.apply = apply;
  }

  /** Starts the modification-time check (when there is a file). */
  public ConfigWatcher start(long checkMillis) {
    if (file != null) {
      seen = modified();
      timer = vertx.setPeriodic(checkMillis, id -> vertx.executeBlocking(() -> {
        FileTime now = modified();
        if (now != null && !now.equals(seen)) {
          reloadBlocking("file changed");
        }
        return null;
      }, false));
    }
    return this;
  }

  /** Reloads on SIGHUP (where the JVM lets a program handle it). */
  public ConfigWatcher onHangup() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reload("SIGHUP"));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warning("SIGHUP cannot be handled here (" + e.getMessage() + "); reload by editing the file");
    }
    return this;
  }

  /** Reloads now, off the event loops. */
  public Future<Outcome> reload(String why) {
    return vertx.executeBlocking(() -> reloadBlocking(why), false);
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private synchronized Outcome reloadBlocking(String why) {
    if (file != null) {
      // what is read now is what the periodic check has seen: a SIGHUP after an edit reloads once, not twice
      seen = modified();
    }
    DispatcherConfig next;
    try {
      next = load.call();
    } catch (Exception e) {
      LOG.warning("reload (" + why + ") rejected, the running configuration is kept: " + e.getMessage());
      return new Outcome(false, List.of(), e.getMessage());
    }
    try {
      List<String> restartOnly = apply.apply(next);
      LOG.info("reload (" + why + ") applied: " + next.pools().size() + " pool(s)"
          + (restartOnly.isEmpty() ? "" : "; changed keys that take effect only at a restart: " + restartOnly));
      return new Outcome(true, restartOnly, null);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reload (" + why + ") rejected, the running configuration is kept: " + e.getMessage());
      return new Outcome(false, List.of(), e.getMessage());
    }
  }

  private FileTime modified() {
    try {
      return Files.getLastModifiedTime(file);
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
