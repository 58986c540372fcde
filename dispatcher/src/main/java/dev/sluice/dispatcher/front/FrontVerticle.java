package dev.sluice.dispatcher.front;

import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.admin.ManagementRoutes;
import dev.sluice.dispatcher.pipeline.Pipeline;
import dev.sluice.dispatcher.protocol.ConnectionDeadlines;
import dev.sluice.dispatcher.protocol.ConnectionLimit;
import dev.sluice.dispatcher.protocol.ServerHardening;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.security.TlsCertificate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The accept step: the public listener, one instance per event loop, and the switch from a path to what serves
 * it: the request pipeline for each routed {@link Api} (OpenAI's chat, completions, responses and embeddings,
 * Anthropic's messages, vLLM's tokenize and detokenize), {@code /v1/models}, and the two probe paths {@code /health/live} and
 * {@code /health/ready} (a load balancer's health check). Everything else, {@code /metrics} and
 * {@code /admin/*} included, is a 404 here: operators use the management listener. A path nothing serves is a
 * 404, a known path with another method a 405, both answered (and logged) by the pipeline; a request on a
 * connection beyond the node's connection cap is answered 503 and its connection closed.
 */
public final class FrontVerticle extends VerticleBase {

  /**
   * @param host       address to bind
   * @param port       port to bind (0 picks a free one)
   * @param limits     wire limits and connection deadlines
   * @param cap        the node's connection cap, shared by every instance
   * @param tls        the certificate to serve HTTPS with, or null for plain HTTP
   * @param drainGrace how long a stop waits for open streams
   * @param listening  told the port once the listener is bound
   */
  public record Settings(String host, int port, ServerLimits limits, ConnectionLimit cap, TlsCertificate tls,
      Duration drainGrace, IntConsumer listening) {
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
    ServerHardening.apply(options, settings.limits());
    if (settings.tls() != null) {
      // HTTPS only; ALPN lets a client choose HTTP/2, which the HTTP/2 settings of the server limits bound
      options.setSsl(true).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setKeyCertOptions(settings.tls().keyCert());
    }
    // wire limits, h2c per the server limits, the header/body deadlines Vert.x lacks (slowloris), the cap
    server = vertx.createHttpServer(options);
    ServerHardening.install(vertx, server, settings.limits(), settings.cap(), this::route);
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

  /**
   * Serves HTTPS with {@code next} from now on (new handshakes; open connections keep theirs). The listener is
   * shared by every instance, so one call changes it for all.
   */
  public Future<Boolean> updateCertificate(TlsCertificate next) {
    return server.updateSSLOptions(next.serverOptions());
  }

  /** Returns what answers the request if its body misses the body deadline (null: a plain 408). */
  private ConnectionDeadlines.SlowBody route(HttpServerRequest request) {
    String path = request.path();
    Api api = Api.at(path);
    if (settings.cap().refuses(request)) {
      return pipeline.overCapacity(request, api);
    }
    if (api != null) {
      return pipeline.completion(request, api);
    }
    switch (path) {
      case "/v1/models" -> {
        return pipeline.models(request);
      }
      case "/health/live", "/health/ready" -> {
        if (request.method() != HttpMethod.GET) {
          return pipeline.wrongMethod(request, Pipeline.GET);
        }
        management.health(request);
        return null;
      }
      default -> {
        return pipeline.notFound(request);
      }
    }
  }
}
