package dev.sluice.dispatcher.admin;

import dev.sluice.dispatcher.protocol.ServerHardening;
import dev.sluice.dispatcher.protocol.ServerLimits;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.IntConsumer;

/**
 * The management listener: one server on {@code management.host:management.port}, apart from the public one,
 * serving {@link ManagementRoutes}. Its traffic is a scrape every few seconds and an operator now and then, so
 * one instance (one event loop) serves it; the same wire limits and deadlines as the public listener apply.
 */
public final class ManagementVerticle extends VerticleBase {
  private final ManagementConfig config;
  private final ServerLimits limits;
  private final ManagementRoutes routes;
  private final IntConsumer listening;
  private HttpServer server;

  /** @param listening told the port once the listener is bound */
  public ManagementVerticle(ManagementConfig config, ServerLimits limits, ManagementRoutes routes,
      IntConsumer listening) {
    this.config = config;
    this.limits = limits;
    this.routes = routes;
    this.listening = listening;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = ServerHardening.apply(new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setCompressionSupported(false), limits);
    server = vertx.createHttpServer(options);
    ServerHardening.install(vertx, server, limits, request -> {
      routes.handle(request);
      return null;
    });
    return server.listen().andThen(ar -> {
      if (ar.succeeded()) {
        listening.accept(ar.result().actualPort());
      }
    });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
