package dev.sluice.dispatcher.http;

import dev.sluice.calibration.CalibrationTable;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.dispatcher.estimate.CalibrationAdmin;

import dev.sluice.dispatcher.Dispatcher;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.observe.RequestIds;
import dev.sluice.dispatcher.protocol.ServerHardening;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.relay.UpstreamPool;
import dev.sluice.dispatcher.route.Endpoint;
import dev.sluice.dispatcher.scan.BodyScanner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The HTTP front: one instance per event loop, all sharing the node's {@link Dispatcher}. A switch on the
 * path picks the handler; everything else is a 404, a known path with the wrong method a 405.
 */
public final class FrontVerticle extends VerticleBase {
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence PROMETHEUS_TEXT =
      HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");
  private static final CharSequence ALLOW = HttpHeaders.createOptimized("allow");
  private static final CharSequence POST = HttpHeaders.createOptimized("POST");
  private static final CharSequence GET = HttpHeaders.createOptimized("GET");

  private final Dispatcher dispatcher;
  private ModelsAggregator models;
  private HttpServer server;

  public FrontVerticle(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public Future<?> start() {
    models = new ModelsAggregator(dispatcher.upstreams(), dispatcher.config().timeouts().modelsMs());
    ServerLimits limits = dispatcher.reliability().config().server().coveringUpstreamSilence(
        Math.max(dispatcher.config().timeouts().firstByteMs(), dispatcher.config().timeouts().streamIdleMs()));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(dispatcher.config().host())
        .setPort(dispatcher.config().port())
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
    server = vertx.createHttpServer(ServerHardening.apply(options, limits));
    ServerHardening.install(vertx, server, limits, this::handle);
    return server.listen().andThen(ar -> {
      if (ar.succeeded()) {
        dispatcher.listening(ar.result().actualPort());
      }
    });
  }

  @Override
  public Future<?> stop() {
    // graceful: stop accepting, let open streams finish up to the drain grace period
    return server == null ? Future.succeededFuture() : server.shutdown(dispatcher.reliability().config().drainGrace());
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/v1/chat/completions" -> completion(req, BodyScanner.Kind.CHAT);
      case "/v1/completions" -> completion(req, BodyScanner.Kind.COMPLETIONS);
      case "/v1/models" -> {
        if (only(req, HttpMethod.GET)) {
          models.serve(req.response());
        }
      }
      case "/metrics" -> {
        if (only(req, HttpMethod.GET)) {
          req.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(dispatcher.metrics().scrape());
        }
      }
      case "/health/live" -> {
        if (only(req, HttpMethod.GET)) {
          json(req.response(), 200, new JsonObject().put("status", "live"));
        }
      }
      case "/health/ready" -> {
        if (only(req, HttpMethod.GET)) {
          boolean ready = dispatcher.ready();
          JsonObject body = new JsonObject().put("status", ready ? "ready" : "not_ready");
          ClusterNode cluster = dispatcher.cluster();
          if (cluster != null) {
            // an unreachable cluster is reported, not fatal: the node keeps serving on its local calibration
            body.put("cluster", cluster.status().toJson());
          }
          json(req.response(), ready ? 200 : 503, body);
        }
      }
      case "/admin/pools" -> {
        if (only(req, HttpMethod.GET)) {
          json(req.response(), 200, pools());
        }
      }
      case "/admin/cluster" -> {
        if (only(req, HttpMethod.GET)) {
          ClusterNode cluster = dispatcher.cluster();
          json(req.response(), 200, cluster == null ? new JsonObject().put("mode", "none") : cluster.status().toJson());
        }
      }
      case "/admin/calibration" -> {
        if (only(req, HttpMethod.GET)) {
          CalibrationTable table = dispatcher.hooks().calibration();
          json(req.response(), 200, table == null ? new JsonObject().put("entries", new JsonArray())
              : CalibrationAdmin.json(table));
        }
      }
      default -> refuse(req, FailureKind.NOT_FOUND, "no route for " + req.method() + " " + req.path(), null);
    }
  }

  private void completion(HttpServerRequest req, BodyScanner.Kind kind) {
    if (req.method() != HttpMethod.POST) {
      req.response().putHeader(ALLOW, POST);
      refuse(req, FailureKind.METHOD_NOT_ALLOWED, req.method() + " is not allowed on " + req.path() + "; use POST", null);
      return;
    }
    // one id from the client to the upstream and back, and in the access log
    String id = RequestIds.accept(req.getHeader(RequestIds.HEADER));
    req.headers().set(RequestIds.HEADER, id);
    req.response().headers().set(RequestIds.HEADER, id);
    ApiKey key = dispatcher.reliability().keys().authenticate(req.getHeader(HttpHeaders.AUTHORIZATION));
    if (key == null) {
      dispatcher.metrics().failure(FailureKind.INVALID_API_KEY);
      refuse(req, FailureKind.INVALID_API_KEY, "Incorrect API key provided.", null);
      return;
    }
    new BodyReader(req, kind, dispatcher, key).start();
  }

  private boolean only(HttpServerRequest req, HttpMethod method) {
    if (req.method() == method) {
      return true;
    }
    req.response().putHeader(ALLOW, method == HttpMethod.GET ? GET : POST);
    refuse(req, FailureKind.METHOD_NOT_ALLOWED, req.method() + " is not allowed on " + req.path(), null);
    return false;
  }

  /** An error before the body was read: when there is a body, close the connection rather than read it. */
  static void refuse(HttpServerRequest req, FailureKind kind, String message, String param) {
    ErrorResponses.send(req.response(), kind, message, param, hasUnreadBody(req));
  }

  static boolean hasUnreadBody(HttpServerRequest req) {
    if (req.isEnded()) {
      return false;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.equals("0"));
  }

  private JsonObject pools() {
    JsonArray list = new JsonArray();
    for (UpstreamPool p : dispatcher.upstreams().pools()) {
      JsonArray endpoints = new JsonArray();
      for (Endpoint e : p.endpoints().all()) {
        endpoints.add(new JsonObject().put("url", e.url()).put("inFlight", e.inFlight())
            .put("health", dispatcher.reliability().endpointState(e.url())));
      }
      list.add(new JsonObject()
          .put("name", p.name())
          .put("context", p.context())
          .put("inFlight", p.inFlight())
          .put("admission", dispatcher.reliability().admissionState(p.name()))
          .put("endpoints", endpoints));
    }
    return new JsonObject().put("pools", list);
  }

  static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(body.toBuffer());
  }
}
