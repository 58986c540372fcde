package dev.sluice.dispatcher.front;

import dev.sluice.dispatcher.admin.ManagementRoutes;
import dev.sluice.dispatcher.pipeline.Pipeline;
import dev.sluice.dispatcher.protocol.ConnectionDeadlines;
import dev.sluice.dispatcher.protocol.ServerHardening;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.scan.BodyScanner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.function.IntConsumer;

/**
 * The accept step: the HTTP listener, one instance per event loop, and the switch from a path to what serves
 * it: the request pipeline for the OpenAI API, the management routes for operators. A path nothing serves is
 * a 404, a known path with another method a 405, both answered (and logged) by the pipeline.
 */
public final class FrontVerticle extends VerticleBase {

  /**
   * @param host       address to bind
   * @param port       port to bind (0 picks a free one)
   * @param limits     wire limits and connection deadlines
   * @param drainGrace how long a stop waits for open streams
   * @param listening  told the port once the listener is bound
   */
  public record Settings(String host, int port, ServerLimits limits, Duration drainGrace, IntConsumer listening) {
  }

  private final Settings settings;
  private final Pipeline pipeline;
  private final ManagementRoutes management;
  private HttpServer server;

  public FrontVerticle(Settings settings, Pipeline pipeline, ManagementRoutes management) {
    this.settings = settings;
    this.pipeline = pipeline;
    this.management = management;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        // answered by the body reader, after the declared length passed the cap
        .setHandle100ContinueAutomatically(false)
        // SSE must leave as it arrives; compressing would batch it
        .setCompressionSupported(false)
        // HTTP/1.1 only unless a later option turns h2c on: one protocol to harden
        .setHttp2ClearTextEnabled(false)
        // no WebSocket routes: without compression offered, Vert.x leaves the WebSocket extension handler
        // out of the pipeline, one handler less on every read and write
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    // wire limits, h2c per the server limits, and the header/body deadlines Vert.x lacks (slowloris)
    server = vertx.createHttpServer(ServerHardening.apply(options, settings.limits()));
    ServerHardening.install(vertx, server, settings.limits(), this::route);
    return server.listen().andThen(ar -> {
      if (ar.succeeded()) {
        settings.listening().accept(ar.result().actualPort());
      }
    });
  }

  @Override
  public Future<?> stop() {
    // graceful: stop accepting, let open streams finish up to the drain grace period
    return server == null ? Future.succeededFuture() : server.shutdown(settings.drainGrace());
  }

  /** Returns what answers the request if its body misses the body deadline (null: a plain 408). */
  private ConnectionDeadlines.SlowBody route(HttpServerRequest request) {
    String path = request.path();
    switch (path) {
      case "/v1/chat/completions" -> {
        return pipeline.completion(request, BodyScanner.Kind.CHAT);
      }
      case "/v1/completions" -> {
        return pipeline.completion(request, BodyScanner.Kind.COMPLETIONS);
      }
      case "/v1/models" -> {
        return pipeline.models(request);
      }
      default -> {
        if (!ManagementRoutes.serves(path)) {
          return pipeline.notFound(request);
        }
        if (request.method() != HttpMethod.GET) {
          return pipeline.wrongMethod(request, Pipeline.GET);
        }
        management.handle(request);
        return null;
      }
    }
  }
}
