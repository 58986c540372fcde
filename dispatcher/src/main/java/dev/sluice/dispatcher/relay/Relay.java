package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.config.Defaults;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.admission.AdmissionRejected;
import dev.sluice.dispatcher.admission.Ticket;
import dev.sluice.dispatcher.error.ErrorResponses;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.reliability.Reliability;
import dev.sluice.dispatcher.route.Endpoint;
import dev.sluice.dispatcher.scan.IncludeUsageRewrite;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.observe.AccessRecord;
import dev.sluice.dispatcher.observe.RequestIds;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sends a scanned request to its pool and streams the answer back. Stateless and shared by all event loops;
 * the state of one request lives in its {@link Exchange}.
 */
public final class Relay {
  final Vertx vertx;
  final Upstreams upstreams;
  final Estimator estimator;
  final ResponseTapFactory taps;
  final boolean askUpstreamForUsage;
  final DispatcherMetrics metrics;
  final long firstByteMs;
  final long streamIdleNanos;
  final int errorPeekBytes;
  final Reliability reliability;
  /** An endpoint's load as the relay sees it: our in-flight plus its own scraped queue; NaN when unavailable. */
  final ToDoubleFunction<Endpoint> healthScore;
  final AccessLog accessLog;
  private final long watchPeriodMs;
  /** One per event loop that relayed something; keyed by the loop's context. */
  private final Map<ContextInternal, Watchdog> watchdogs = new ConcurrentHashMap<>();

  public Relay(Vertx vertx, Upstreams upstreams, Estimator estimator, ResponseTapFactory taps,
      boolean askUpstreamForUsage, Timeouts timeouts, DispatcherMetrics metrics, Reliability reliability) {
    this(vertx, upstreams, estimator, taps, askUpstreamForUsage, timeouts, metrics, reliability, AccessLog.OFF);
  }

  public Relay(Vertx vertx, Upstreams upstreams, Estimator estimator, ResponseTapFactory taps,
      boolean askUpstreamForUsage, Timeouts timeouts, DispatcherMetrics metrics, Reliability reliability,
      AccessLog accessLog) {
    this.accessLog = accessLog;
    this.vertx = vertx;
    this.upstreams = upstreams;
    this.estimator = estimator;
    this.taps = taps;
    this.askUpstreamForUsage = askUpstreamForUsage;
    this.metrics = metrics;
    this.firstByteMs = timeouts.firstByteMs();
    this.streamIdleNanos = timeouts.streamIdleMs() * 1_000_000L;
    this.watchPeriodMs = Watchdog.periodFor(timeouts.firstByteMs(), timeouts.streamIdleMs());
    this.errorPeekBytes = Defaults.ERROR_PEEK_BYTES;
    this.reliability = reliability;
    this.healthScore = e -> reliability.available(e.url()) ? e.inFlight() + reliability.queued(e.url()) : Double.NaN;
  }

  /**
   * Routes by {@code budget} and relays. Must be called on the request's event loop, after its body was
   * read completely into {@code body}.
   */
  public void forward(HttpServerRequest request, Buffer body, RequestFacts facts, Budget budget) {
    boolean stripUsage = askUpstreamForUsage && facts.stream() && !facts.includeUsage();
    Buffer upstreamBody = stripUsage ? IncludeUsageRewrite.apply(body, facts) : body;
    ResponseTap tap = taps.create(facts, budget, stripUsage);
    UpstreamPool pool = upstreams.pool(reliability.spill(upstreams.router().poolFor(budget.total())));
    Exchange exchange = new Exchange(this, request, upstreamBody, budget, tap, stripUsage);
    Ticket ticket = reliability.admission(pool.name()).acquire();
    if (ticket.granted().succeeded()) {
      exchange.start(pool, ticket.granted().result());
      return;
    }
    // waiting (or refused): a client that leaves while waiting is never dispatched
    request.response().closeHandler(v -> ticket.cancel());
    ticket.granted().onComplete(ar -> {
      if (ar.succeeded()) {
        if (request.response().closed()) {
          ar.result().release();
        } else {
          exchange.start(pool, ar.result());
        }
      } else if (ar.cause() instanceof AdmissionRejected why) {
        refuse(request, pool, why, budget);
      }
    });
  }

  /** The watchdog of the event loop that runs {@code context}. */
  Watchdog watchdog(ContextInternal context) {
    ContextInternal loop = context.unwrap();
    Watchdog w = watchdogs.get(loop);
    return w != null ? w : watchdogs.computeIfAbsent(loop, c -> new Watchdog(c, watchPeriodMs));
  }

  private void refuse(HttpServerRequest request, UpstreamPool pool, AdmissionRejected why, Budget budget) {
    if (why.reason() == AdmissionRejected.Reason.CANCELLED) {
      pool.meters().clientClosed();
      metrics.failure(FailureKind.CLIENT_CLOSED);
      return;
    }
    FailureKind kind = why.reason().kind();
    pool.meters().request(kind.status());
    metrics.failure(kind);
    if (accessLog.enabled()) {
      accessLog.offer(new AccessRecord(System.currentTimeMillis(), request.getHeader(RequestIds.HEADER), pool.name(),
          null, budget.category(), budget.textBytes(), budget.promptEstimate(), budget.total(), -1, kind.status(), 0,
          -1, 0, "refused"));
    }
    request.response().putHeader(SluiceHeaders.POOL, pool.name());
    ErrorResponses.send(request.response(), kind, why.getMessage(), null, false, why.retryAfterSeconds());
  }
}
