package dev.sluice.dispatcher.call;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.FailureKind.Outcome;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.observe.RequestFaults;
import dev.sluice.dispatcher.observe.RequestIds;
import dev.sluice.dispatcher.trace.Tracing;
import io.vertx.core.http.HttpServerRequest;

/**
 * Opens every {@link Call} and records how each one ended: the only place that does. One end makes one
 * access-log line, one {@code sluice_requests_total{pool,status}} increment ({@code pool="none"} for requests
 * refused before routing; {@code status} the HTTP status, {@code aborted} or {@code client_closed}) and, for a
 * failure, one {@code sluice_failures_total{category,code}} increment, and for a traced request the end of its
 * server span.
 */
public final class Outcomes {
  private final DispatcherMetrics metrics;
  private final AccessLog accessLog;
  private final RequestFaults faults = new RequestFaults();
  /** The node's tracing; null when off. */
  private final Tracing tracing;

  public Outcomes(DispatcherMetrics metrics, AccessLog accessLog) {
    this(metrics, accessLog, null);
  }

  /** @param tracing the node's tracing, or null when it is off */
  public Outcomes(DispatcherMetrics metrics, AccessLog accessLog, Tracing tracing) {
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.tracing = tracing;
  }

  /**
   * Accepts a request: one id from the client to the upstream and back, and in the access log (a client's
   * usable {@code x-request-id} is kept, else one is made).
   */
  public Call open(HttpServerRequest request) {
    String id = RequestIds.accept(request.getHeader(RequestIds.HEADER));
    request.headers().set(RequestIds.HEADER, id);
    request.response().headers().set(RequestIds.HEADER, id);
    return new Call(this, request, id, tracing == null ? null : tracing.start(request, id));
  }

  /** Where unexpected exceptions of the request path are logged. */
  RequestFaults faults() {
    return faults;
  }

  void record(Call call, int status, FailureKind failure, Outcome outcome) {
    DispatcherMetrics.PoolMeters meters = call.pool() == null ? metrics.unrouted() : call.pool().meters();
    switch (outcome) {
      case ABORTED -> meters.aborted();
      case CLIENT_CLOSED -> meters.clientClosed();
      default -> meters.request(status);
    }
    if (failure != null) {
      metrics.failure(failure);
    }
    long own = call.ownNanos();
    if (own >= 0) {
      metrics.overhead(own);
    }
    if (accessLog.enabled()) {
      accessLog.offer(call.record(status, failure, outcome));
    }
    if (call.trace() != null) {
      call.endTrace(status, failure, outcome);
    }
  }
}
