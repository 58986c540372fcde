package dev.sluice.dispatcher;

import dev.sluice.dispatcher.config.ConfigException;
import dev.sluice.dispatcher.config.ConfigLoader;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.reliability.ReliabilityConfigLoader;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** {@code ./sluice dispatcher ...}: runs one dispatcher node until the process is stopped. */
public final class DispatcherMain {
  private static final long SHUTDOWN_SECONDS = 10;
  private static final long CLOSE_SECONDS = 2;

  private DispatcherMain() {
  }

  public static void main(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(ConfigLoader.USAGE);
        return;
      }
    }
    DispatcherConfig config;
    ReliabilityConfig reliability;
    try {
      config = ConfigLoader.fromArgs(args);
      reliability = ReliabilityConfigLoader.fromArgs(args);
    } catch (ConfigException e) {
      System.err.println("sluice dispatcher: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    Dispatcher dispatcher;
    try {
      dispatcher = Dispatcher.start(vertx, config, DispatcherHooks.defaults(config), new DispatcherMetrics(),
          Dispatcher.defaultInstances(), reliability).await();
    } catch (Throwable e) {
      System.err.println("sluice dispatcher: cannot start: " + e.getMessage());
      vertx.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // stop() drains: open streams get the drain grace period to finish
        dispatcher.stop().await(reliability.drainGrace().toSeconds() + SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        // bounded: the completion of close() may never be delivered once its event loop has stopped
        vertx.close().await(CLOSE_SECONDS, TimeUnit.SECONDS);
      } catch (Throwable ignored) {
        // exiting anyway
      }
    }, "sluice-shutdown"));
    String pools = config.pools().stream()
        .map(p -> p.name() + "=" + p.context() + "@" + p.endpoints().size() + " endpoint(s)")
        .collect(Collectors.joining(", "));
    System.out.println("sluice dispatcher listening on " + config.host() + ":" + dispatcher.port() + " pools: " + pools);
  }
}
