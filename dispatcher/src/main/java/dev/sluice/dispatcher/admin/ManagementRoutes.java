package dev.sluice.dispatcher.admin;

import dev.sluice.calibration.NodeCalibration;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.estimate.CalibrationAdmin;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.EndpointLoad;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.protocol.JsonReply;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.KeyRateLimiter;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What operators and their tools use, on the management listener: {@code GET /metrics}, {@code /health/live},
 * {@code /health/ready}, {@code /admin/pools}, {@code /admin/cluster}, {@code /admin/calibration},
 * {@code /admin/keys}, and {@code POST /admin/endpoints/drain} and {@code /admin/endpoints/undrain}. With
 * management keys configured every route but {@code /health/*} asks for one (401 otherwise). Not part of the
 * request pipeline: these requests are not logged or counted as traffic. Errors are written by
 * {@link ErrorResponses}, in the same shape as the API's.
 */
public final class ManagementRoutes {
  private static final CharSequence PROMETHEUS_TEXT =
      HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");
  /** A drain request names one endpoint: a few hundred bytes at most. */
  static final int MAX_BODY_BYTES = 4096;

  private final DispatcherMetrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<ClusterNode> cluster;
  private final NodeCalibration calibration;
  private final Upstreams upstreams;
  private final ApiKeys keys;
  private final KeyRateLimiter limiter;
  private final List<ApiKey> clientKeys;

  /**
   * @param ready       whether the node serves requests (readiness)
   * @param cluster     the cluster membership, or null while none is attached
   * @param calibration the learned calibration, or null when the estimator does not learn
   * @param keys        the management keys (off when none)
   * @param limiter     the client keys' limits, for {@code /admin/keys}
   * @param clientKeys  the configured client keys
   */
  public ManagementRoutes(DispatcherMetrics metrics, BooleanSupplier ready, Supplier<ClusterNode> cluster,
      NodeCalibration calibration, Upstreams upstreams, ApiKeys keys, KeyRateLimiter limiter,
      List<ApiKey> clientKeys) {
    this.metrics = metrics;
    this.ready = ready;
    this.cluster = cluster;
    this.calibration = calibration;
    this.upstreams = upstreams;
    this.keys = keys;
    this.limiter = limiter;
    this.clientKeys = clientKeys;
  }

  /** Every request of the management listener. */
  public void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/health/live") || path.equals("/health/ready")) {
      // probes carry no key
      if (allowed(request, HttpMethod.GET)) {
        health(request);
      }
      return;
    }
    if (keys.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION)) == null) {
      refuse(request, FailureKind.INVALID_API_KEY, "a management key is required (Authorization: Bearer KEY)");
      return;
    }
    switch (path) {
      case "/metrics" -> {
        if (allowed(request, HttpMethod.GET)) {
          request.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(metrics.scrape());
        }
      }
      case "/admin/pools" -> {
        if (allowed(request, HttpMethod.GET)) {
          JsonReply.send(request.response(), 200, pools());
        }
      }
      case "/admin/cluster" -> {
        if (allowed(request, HttpMethod.GET)) {
          ClusterNode node = cluster.get();
          JsonReply.send(request.response(), 200,
              node == null ? new JsonObject().put("mode", "none") : node.status().toJson());
        }
      }
      case "/admin/calibration" -> {
        if (allowed(request, HttpMethod.GET)) {
          JsonReply.send(request.response(), 200, calibration == null
              ? new JsonObject().put("models", new JsonArray()).put("entries", new JsonArray())
              : CalibrationAdmin.json(calibration));
        }
      }
      case "/admin/keys" -> {
        if (allowed(request, HttpMethod.GET)) {
          limiter.use(clientKeys, System.nanoTime()).onComplete(ar -> {
            if (ar.succeeded()) {
              JsonReply.send(request.response(), 200, keys(ar.result()));
            } else {
              ErrorResponses.send(request.response(), FailureKind.INTERNAL, "the cluster's buckets could not be "
                  + "read: " + ar.cause().getMessage(), null, false, 0);
            }
          });
        }
      }
      case "/admin/endpoints/drain", "/admin/endpoints/undrain" -> {
        if (allowed(request, HttpMethod.POST)) {
          drain(request, path.endsWith("/drain"));
        }
      }
      default -> refuse(request, FailureKind.NOT_FOUND, "no route for " + request.method() + " " + path);
    }
  }

  /** {@code /health/live} and {@code /health/ready}, answered on the public listener too (load balancers). */
  public void health(HttpServerRequest request) {
    if (request.path().equals("/health/live")) {
      JsonReply.send(request.response(), 200, new JsonObject().put("status", "live"));
      return;
    }
    boolean up = ready.getAsBoolean();
    JsonObject body = new JsonObject().put("status", up ? "ready" : "not_ready");
    ClusterNode node = cluster.get();
    if (node != null) {
      // an unreachable cluster is reported, not fatal: the node keeps serving on its local calibration
      body.put("cluster", node.status().toJson());
    }
    JsonReply.send(request.response(), up ? 200 : 503, body);
  }

  /** The method the route serves, else 405 with {@code Allow}. */
  private static boolean allowed(HttpServerRequest request, HttpMethod method) {
    if (request.method() == method) {
      return true;
    }
    request.response().putHeader(HttpHeaders.ALLOW, method.name());
    refuse(request, FailureKind.METHOD_NOT_ALLOWED, request.method() + " is not allowed on " + request.path()
        + "; use " + method.name());
    return false;
  }

  private static void refuse(HttpServerRequest request, FailureKind kind, String message) {
    // a body not read is not read at all: the connection closes after the answer
    ErrorResponses.send(request.response(), kind, message, null, !request.isEnded(), 0);
  }

  /**
   * {@code {"endpoint": "10.0.0.5:8000"}} (or the endpoint's URL, as {@code /admin/pools} lists it): drains or
   * undrains every endpoint of that address, in every pool. 404 when no endpoint has it.
   */
  private void drain(HttpServerRequest request, boolean on) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && !length.isBlank() && tooLong(length)) {
      refuse(request, FailureKind.BODY_TOO_LARGE, "a drain request body is at most " + MAX_BODY_BYTES + " bytes");
      return;
    }
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_BODY_BYTES) {
        request.handler(null);
        refuse(request, FailureKind.BODY_TOO_LARGE, "a drain request body is at most " + MAX_BODY_BYTES + " bytes");
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (request.response().ended()) {
        return;
      }
      String address;
      try {
        address = new JsonObject(body).getString("endpoint");
      } catch (DecodeException | ClassCastException e) {
        address = null;
      }
      if (address == null || address.isBlank()) {
        ErrorResponses.send(request.response(), FailureKind.INVALID_REQUEST,
            "the body must be {\"endpoint\": \"HOST:PORT\"} (an endpoint's address or URL from /admin/pools)",
            "endpoint", false, 0);
        return;
      }
      List<Endpoint> named = upstreams.drain(address.trim(), on);
      if (named.isEmpty()) {
        ErrorResponses.send(request.response(), FailureKind.NOT_FOUND, "no endpoint at '" + address.trim()
            + "' (see /admin/pools)", "endpoint", false, 0);
        return;
      }
      JsonArray list = new JsonArray();
      named.forEach(e -> list.add(new JsonObject().put("url", e.url()).put("inFlight", e.inFlight())));
      JsonReply.send(request.response(), 200, new JsonObject().put("endpoint", address.trim()).put("drained", on)
          .put("endpoints", list));
    });
  }

  private static boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** Each key (by name, never its hash), its class, its limits and their use over the last minute. */
  private static JsonObject keys(List<KeyRateLimiter.KeyUse> use) {
    JsonArray list = new JsonArray();
    for (KeyRateLimiter.KeyUse u : use) {
      ApiKey k = u.key();
      JsonObject key = new JsonObject().put("name", k.name()).put("priority", k.priority().label())
          .put("maxPriority", k.maxPriority().label()).put("scope", u.scope());
      if (k.requestsPerMinute() > 0) {
        key.put("requests", new JsonObject().put("perMinute", k.requestsPerMinute()).put("used", u.requestsUsed()));
      }
      if (k.tokensPerMinute() > 0) {
        key.put("tokens", new JsonObject().put("perMinute", k.tokensPerMinute()).put("used", u.tokensUsed()));
      }
      list.add(key);
    }
    return new JsonObject().put("keys", list);
  }

  private JsonObject pools() {
    long now = System.nanoTime();
    JsonArray list = new JsonArray();
    for (Pool p : upstreams.current().pools()) {
      JsonArray endpoints = new JsonArray();
      for (Endpoint e : p.endpoints()) {
        JsonObject one = new JsonObject().put("url", e.url()).put("address", e.address()).put("inFlight", e.inFlight())
            .put("budgetInFlight", e.budgetInFlight())
            .put("load", e.load(now, p.loadStaleMillis(), 0))
            .put("affinityTries", e.affinityTries())
            .put("affinityShare", p.affinityShare(e))
            .put("drained", e.health().drained())
            .put("health", health(e.health(), now));
        if (e.discovered()) {
          one.put("discoveredFrom", e.origin());
        }
        endpoints.add(one);
      }
      PoolAdmission a = p.admission();
      list.add(new JsonObject()
          .put("name", p.name())
          .put("context", p.context())
          .put("configured", new JsonArray(p.config().endpoints().stream().map(Object::toString).toList()))
          .put("inFlight", p.inFlight())
          .put("affinity", p.routing().affinity())
          .put("admission", new JsonObject().put("inFlight", a.inFlight()).put("waiting", a.waiting())
              .put("capacity", a.capacity()))
          .put("endpoints", endpoints));
    }
    return new JsonObject().put("pools", list);
  }

  /** An endpoint's health: availability, ejection, probe, last scraped load. */
  private static JsonObject health(EndpointHealth e, long now) {
    EndpointLoad load = e.load();
    JsonObject state = new JsonObject()
        .put("available", e.available(now))
        .put("probeHealthy", e.probeHealthy())
        .put("ejectedForMs", e.ejectionRemainingNanos(now) / 1_000_000L)
        .put("consecutiveFailures", e.consecutiveFailures())
        .put("ejections", e.ejectionsTotal());
    if (load.known()) {
      state.put("load", new JsonObject()
          .put("running", load.running())
          .put("waiting", load.waiting())
          .put("kvCacheUsage", load.kvCacheUsage())
          .put("ageMs", (now - load.atNanos()) / 1_000_000L));
    }
    return state;
  }
}
