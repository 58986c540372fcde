package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.admission.Permit;
import dev.sluice.dispatcher.admission.RetryBudget;
import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.route.ResponseHomes;
import dev.sluice.dispatcher.scan.UpstreamBody;
import dev.sluice.dispatcher.scan.RequestFacts;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay step: sends an admitted request to its pool and streams the answer back. Shared by every event loop
 * and stateless apart from one deadline sweep per loop; the state of one request lives in its {@link Exchange}.
 */
public final class Relay {
  final Vertx vertx;
  final Estimator estimator;
  final DispatcherMetrics metrics;
  final RetryBudget retries;
  /** Where Responses answers were made, for the requests that continue them. */
  final ResponseHomes homes;
  final long firstByteNanos;
  final long streamIdleNanos;
  /** Largest error body, head of an event stream or error event held to tell what the upstream answered. */
  static final int ERROR_PEEK_BYTES = 16 * 1024;
  private final ResponseTapFactory taps;
  private final boolean askUpstreamForUsage;
  private final long watchPeriodMs;
  /** One per event loop that relayed something; keyed by the loop's context. */
  private final Map<ContextInternal, Watchdog> watchdogs = new ConcurrentHashMap<>();

  /**
   * @param estimator           receives every prompt count an upstream reports (usage, or a context-length error)
   * @param taps                makes the tap that reads each 2xx answer
   * @param askUpstreamForUsage rewrite streaming bodies that lack {@code include_usage} to ask for it (and take
   *                            the usage event out again on the way back)
   * @param retries             the node's retry budget
   * @param homes               told where each Responses answer was made
   */
  public Relay(Vertx vertx, Estimator estimator, ResponseTapFactory taps, boolean askUpstreamForUsage,
      Timeouts timeouts, RetryBudget retries, DispatcherMetrics metrics, ResponseHomes homes) {
    this.vertx = vertx;
    this.homes = homes;
    this.estimator = estimator;
    this.taps = taps;
    this.askUpstreamForUsage = askUpstreamForUsage;
    this.retries = retries;
    this.metrics = metrics;
    this.firstByteNanos = timeouts.firstByteMs() * 1_000_000L;
    this.streamIdleNanos = timeouts.streamIdleMs() * 1_000_000L;
    this.watchPeriodMs = Watchdog.periodFor(timeouts.firstByteMs(), timeouts.streamIdleMs());
    Gauge.builder("sluice_retries_active", retries, RetryBudget::active)
        .description("retries in progress (bounded by the retry budget)").register(metrics.registry());
  }

  /**
   * Relays an admitted request to the pool it was routed to. Must be called on the request's event loop, after
   * its body was read whole into {@code body}.
   */
  public void start(Call call, Buffer body, Permit permit) {
    RequestFacts facts = call.facts();
    boolean stripUsage = askUpstreamForUsage && facts.api().completionLike() && facts.stream()
        && !facts.includeUsage();
    long affinityKey = affinityKey(call, body); // before any edit: the opening's offsets are the body's as received
    Buffer upstreamBody = UpstreamBody.of(body, facts, stripUsage, call.aliased() ? facts.model() : null);
    ResponseTap tap = taps.create(facts, call.budget(), stripUsage, call.countsCompletion());
    new Exchange(this, call, upstreamBody, affinityKey, tap, stripUsage).start(permit);
  }

  /** The conversation the request belongs to ({@link AffinityKey}); the opening is hashed only when none is named. */
  private static long affinityKey(Call call, Buffer body) {
    RequestFacts facts = call.facts();
    String session = call.request().getHeader(AffinityKey.SESSION_HEADER);
    return AffinityKey.choose(facts.promptCacheKey(),
        session == null || session.isEmpty() ? AffinityKey.NONE : KeyHash.of(session), facts.user(),
        () -> facts.opening().hash(body));
  }

  /** The watchdog of the event loop that runs {@code context}. */
  Watchdog watchdog(ContextInternal context) {
    ContextInternal loop = context.unwrap();
    Watchdog w = watchdogs.get(loop);
    return w != null ? w : watchdogs.computeIfAbsent(loop, c -> new Watchdog(c, watchPeriodMs));
  }
}
