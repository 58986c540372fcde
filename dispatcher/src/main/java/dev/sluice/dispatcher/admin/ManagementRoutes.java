package dev.sluice.dispatcher.admin;

import dev.sluice.calibration.NodeCalibration;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.dispatcher.admission.PoolAdmission;
import dev.sluice.dispatcher.estimate.CalibrationAdmin;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.EndpointLoad;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.protocol.JsonReply;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What operators and their tools read: {@code GET /metrics}, {@code /health/live}, {@code /health/ready},
 * {@code /admin/pools}, {@code /admin/cluster}, {@code /admin/calibration}. Not part of the request pipeline:
 * these requests are not logged or counted as traffic.
 */
public final class ManagementRoutes {
  private static final CharSequence PROMETHEUS_TEXT =
      HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");

  private final DispatcherMetrics metrics;
  private final BooleanSupplier ready;
  private final Supplier<ClusterNode> cluster;
  private final NodeCalibration calibration;
  private final Upstreams upstreams;

  /**
   * @param ready       whether the node serves requests (readiness)
   * @param cluster     the cluster membership, or null while none is attached
   * @param calibration the learned calibration, or null when the estimator does not learn
   */
  public ManagementRoutes(DispatcherMetrics metrics, BooleanSupplier ready, Supplier<ClusterNode> cluster,
      NodeCalibration calibration, Upstreams upstreams) {
    this.metrics = metrics;
    this.ready = ready;
    this.cluster = cluster;
    this.calibration = calibration;
    this.upstreams = upstreams;
  }

  /** Whether {@code path} is one of these routes (all {@code GET}). */
  public static boolean serves(String path) {
    return switch (path) {
      case "/metrics", "/health/live", "/health/ready", "/admin/pools", "/admin/cluster", "/admin/calibration" -> true;
      default -> false;
    };
  }

  /** Answers a {@code GET} of a path {@link #serves} accepts. */
  public void handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/metrics" -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(metrics.scrape());
      case "/health/live" -> JsonReply.send(request.response(), 200, new JsonObject().put("status", "live"));
      case "/health/ready" -> {
        boolean up = ready.getAsBoolean();
        JsonObject body = new JsonObject().put("status", up ? "ready" : "not_ready");
        ClusterNode node = cluster.get();
        if (node != null) {
          // an unreachable cluster is reported, not fatal: the node keeps serving on its local calibration
          body.put("cluster", node.status().toJson());
        }
        JsonReply.send(request.response(), up ? 200 : 503, body);
      }
      case "/admin/pools" -> JsonReply.send(request.response(), 200, pools());
      case "/admin/cluster" -> {
        ClusterNode node = cluster.get();
        JsonReply.send(request.response(), 200, node == null ? new JsonObject().put("mode", "none") : node.status().toJson());
      }
      case "/admin/calibration" -> JsonReply.send(request.response(), 200,
          calibration == null ? new JsonObject().put("models", new JsonArray()).put("entries", new JsonArray())
              : CalibrationAdmin.json(calibration));
      default -> throw new IllegalArgumentException("not a management route: " + request.path());
    }
  }

  private JsonObject pools() {
    long now = System.nanoTime();
    JsonArray list = new JsonArray();
    for (Pool p : upstreams.current().pools()) {
      JsonArray endpoints = new JsonArray();
      for (Endpoint e : p.endpoints()) {
        endpoints.add(new JsonObject().put("url", e.url()).put("inFlight", e.inFlight())
            .put("health", health(e.health(), now)));
      }
      PoolAdmission a = p.admission();
      list.add(new JsonObject()
          .put("name", p.name())
          .put("context", p.context())
          .put("inFlight", p.inFlight())
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
