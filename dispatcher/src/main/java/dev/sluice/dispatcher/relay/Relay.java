package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.config.Defaults;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.scan.IncludeUsageRewrite;
import dev.sluice.dispatcher.scan.RequestFacts;
import io.vertx.core.Vertx;
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

  public Relay(Vertx vertx, Upstreams upstreams, Estimator estimator, ResponseTapFactory taps,
      boolean askUpstreamForUsage, Timeouts timeouts, DispatcherMetrics metrics) {
    this.vertx = vertx;
    this.upstreams = upstreams;
    this.estimator = estimator;
    this.taps = taps;
    this.askUpstreamForUsage = askUpstreamForUsage;
    this.metrics = metrics;
    this.firstByteMs = timeouts.firstByteMs();
    this.streamIdleNanos = timeouts.streamIdleMs() * 1_000_000L;
    this.errorPeekBytes = Defaults.ERROR_PEEK_BYTES;
  }

  /**
   * Routes by {@code budget} and relays. Must be called on the request's event loop, after its body was
   * read completely into {@code body}.
   */
  public void forward(HttpServerRequest request, Buffer body, RequestFacts facts, Budget budget) {
    boolean stripUsage = askUpstreamForUsage && facts.stream() && !facts.includeUsage();
    Buffer upstreamBody = stripUsage ? IncludeUsageRewrite.apply(body, facts) : body;
    ResponseTap tap = taps.create(facts, budget, stripUsage);
    UpstreamPool pool = upstreams.forBudget(budget.total());
    new Exchange(this, request, upstreamBody, budget, tap, stripUsage).start(pool);
  }
}
