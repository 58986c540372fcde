package dev.sluice.dispatcher.exact;

import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.config.EstimatorSettings;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.EstimateSource;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.Ladder;
import dev.sluice.dispatcher.scan.RequestFacts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.ContextInternal;

/**
 * The exact count at a pool boundary: when a request's estimated band straddles a pool's context
 * ({@link StraddleRule}), the candidate pool's tokenizer counts the prompt before the request is routed, so
 * that it goes to the pool it fits. On a time-out, an error or too many counts at once, the request goes on
 * its estimate as it would without this step. The count is also a calibration sample, taken here; the
 * relay does not feed the response's usage again for a counted budget.
 *
 * <p>Only chat and completions bodies are counted ({@code /tokenize} renders those), on the ladder of the
 * request's model. Requests with images or tools are not counted (vLLM would process the images to count them); their
 * estimate carries its own margin.
 */
public final class ExactCounter {
  private final Vertx vertx;
  private final Estimator estimator;
  private final TokenizeClient client;
  private final ExactCountMeters meters;
  private final boolean enabled;

  public ExactCounter(Vertx vertx, Estimator estimator, EstimatorSettings settings,
      ExactCountMeters meters) {
    this.vertx = vertx;
    this.estimator = estimator;
    this.meters = meters;
    this.enabled = settings.exactCount();
    this.client = new TokenizeClient(vertx, settings.exactCountDeadlineMs(), settings.exactCountMaxInFlight());
  }

  public ExactCountMeters meters() {
    return meters;
  }

  /**
   * The budget to route {@code call} on: {@code budget} itself, or, when its band straddles a pool's context,
   * the same budget with the prompt counted by that pool's tokenizer. Never fails; completes at once when
   * nothing needs counting. Call on the request's event loop.
   */
  public Future<Budget> count(Call call, Buffer body, RequestFacts facts, Budget budget) {
    // /tokenize renders chat and completions bodies only; a body with token ids is partly counted already
    if (!enabled || !facts.api().completionLike() || facts.tokenIds() > 0 || facts.hasImages() || facts.hasTools()
        || budget.source() != EstimateSource.CALIBRATED) {
      return Future.succeededFuture(budget);
    }
    Ladder ladder = call.ladder();
    int candidate = StraddleRule.candidate(ladder.router(), budget.lowTotal(), budget.total());
    if (candidate < 0) {
      return Future.succeededFuture(budget);
    }
    Pool pool = ladder.pool(candidate);
    Endpoint endpoint = pool.pickToAsk();
    Buffer tokenize = TokenizeBody.of(body, facts);
    if (endpoint == null || tokenize == null) {
      meters.failed(TokenizeClient.Reason.ERROR);
      return Future.succeededFuture(budget);
    }
    long start = System.nanoTime();
    // the client of the request's own event loop, as its relay uses
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    // addressed as a try is: a discovered endpoint's resolved address, its name for Host and TLS
    return client.count(pool.client(loop), endpoint.request(HttpMethod.POST, TokenizeClient.PATH), tokenize,
            pool.upstreamAuthorization(), call.id())
        .map(count -> {
          meters.counted(System.nanoTime() - start);
          estimator.observe(budget, count.tokens());
          return budget.counted(count.tokens());
        })
        .otherwise(err -> {
          meters.failed(err instanceof TokenizeClient.Failure f ? f.reason() : TokenizeClient.Reason.ERROR);
          return budget;
        });
  }
}
