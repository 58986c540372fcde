package dev.sluice.dispatcher.pipeline;

import dev.sluice.dispatcher.admission.BodyBudget;
import dev.sluice.dispatcher.admission.Permit;
import dev.sluice.dispatcher.admission.Priority;
import dev.sluice.dispatcher.admission.Ticket;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.call.Outcomes;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.exact.ExactCounter;
import dev.sluice.dispatcher.pool.Ladder;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.protocol.SluiceHeaders;
import dev.sluice.dispatcher.relay.Relay;
import dev.sluice.dispatcher.route.ResponseHomes;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import dev.sluice.dispatcher.security.ImagePolicy;
import dev.sluice.dispatcher.security.KeyRateLimiter;
import dev.sluice.dispatcher.trace.RequestTrace;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The life of one request to one of the routed {@link Api}s, one method per step, in the order the request lives
 * them:
 *
 * <pre>
 *   accept → authenticate → read and scan → find the model → estimate → police → route → admit → relay → (finish)
 * </pre>
 *
 * Each step hands the request to the next, or ends it through its {@link Call}, whose single end records it.
 * The pipeline holds only what the steps need: the keys, the body cap, the estimator, the media and rate
 * policies, the pools, the relay. Shared by every event loop; a request runs through it on the loop that
 * accepted it, and nothing here blocks.
 *
 * <p>Collaborators, by step: {@code keys} (authenticate: client API keys, off when none are configured),
 * {@code bodyCapBytes} and {@code bodies} (read: the largest body, and the node's budget of bodies held),
 * {@code estimator}, {@code exactCounter} (the pool's tokenizer when the estimate straddles a pool's context; the
 * step's only asynchronous part) and {@code defaultOutputReserve} (estimate), {@code images} and
 * {@code limiter} (police: media URLs the model server would fetch, per-key requests and tokens per minute),
 * {@code upstreams} (find the model: its ladder in the current pool set), {@code homes} (route: where the
 * Responses answers a request continues were made), {@code relay} (relay: tries and the answer) and
 * {@code outcomes} (accept and finish: request ids and the record of every end).
 */
public final class Pipeline {
  private static final CharSequence ALLOW = HttpHeaders.createOptimized("allow");
  /** Anthropic's clients send their key here rather than as a bearer token. */
  private static final CharSequence X_API_KEY = HttpHeaders.createOptimized("x-api-key");
  /** Longest wait for a lease of the cluster's units, and how many leases a request may wait for. */
  private static final long LEASE_WAIT_MS = 250;
  private static final int LEASE_WAITS = 2;
  public static final CharSequence POST = HttpHeaders.createOptimized("POST");
  public static final CharSequence GET = HttpHeaders.createOptimized("GET");

  private final ApiKeys keys;
  private final int bodyCapBytes;
  private final BodyBudget bodies;
  private final Estimator estimator;
  private final ExactCounter exactCounter;
  private final int defaultOutputReserve;
  private final ImagePolicy images;
  private final KeyRateLimiter limiter;
  private final Upstreams upstreams;
  private final Relay relay;
  private final Outcomes outcomes;
  private final ModelList models;
  private final ResponseHomes homes;
  /** The step after reading, made once rather than per request. */
  private final BodyReader.Next afterRead = this::findModel;
  /** Prompt-text bytes the scanner hashes for the affinity key; none with affinity off. */
  private final int prefixBytes;

  public Pipeline(ApiKeys keys, int bodyCapBytes, BodyBudget bodies, Estimator estimator, ExactCounter exactCounter,
      int defaultOutputReserve, ImagePolicy images, KeyRateLimiter limiter, Upstreams upstreams, Relay relay,
      Outcomes outcomes, ModelList models, ResponseHomes homes) {
    this.keys = keys;
    this.bodyCapBytes = bodyCapBytes;
    this.bodies = bodies;
    this.estimator = estimator;
    this.exactCounter = exactCounter;
    this.defaultOutputReserve = defaultOutputReserve;
    this.images = images;
    this.limiter = limiter;
    this.upstreams = upstreams;
    this.relay = relay;
    this.outcomes = outcomes;
    this.models = models;
    this.homes = homes;
    this.prefixBytes = upstreams.routing().affinity() ? upstreams.routing().affinityPrefixBytes() : 0;
  }

  /**
   * A request to one of the routed APIs ({@code /v1/chat/completions}, {@code /v1/responses}, ...). Returns its
   * call, which answers the body deadline if the body does not arrive in time.
   */
  public Call completion(HttpServerRequest request, Api api) {
    Call call = outcomes.open(request); // accept
    call.serves(api);
    if (request.method() != HttpMethod.POST) {
      return wrongMethod(call, POST);
    }
    if (!authenticate(call)) { // authenticate
      return call;
    }
    if (!prioritize(call, call.key())) {
      return call;
    }
    RequestTrace trace = call.trace();
    if (trace != null) {
      trace.estimating();
    }
    new BodyReader(call, api, bodyCapBytes, bodies, prefixBytes, afterRead).start(); // read and scan
    return call;
  }

  /**
   * authenticate: the request's key ({@code Authorization: Bearer}, or Anthropic's {@code x-api-key}), or a 401
   * before its body is read.
   */
  private boolean authenticate(Call call) {
    String authorization = call.request().getHeader(HttpHeaders.AUTHORIZATION);
    ApiKey key = authorization != null || !keys.enabled() ? keys.authenticate(authorization)
        : keys.authenticateKey(call.request().getHeader(X_API_KEY));
    if (key == null) {
      call.refuse(FailureKind.INVALID_API_KEY, "Incorrect API key provided.", null);
      return false;
    }
    call.authenticated(key);
    return true;
  }

  /**
   * authenticate (its second half): the class the request waits in, its key's own, or one it asks for with
   * {@code x-sluice-priority}: a lower one always, a higher one up to the key's {@code max_priority}.
   */
  private static boolean prioritize(Call call, ApiKey key) {
    String asked = call.request().getHeader(SluiceHeaders.PRIORITY);
    if (asked == null) {
      call.prioritized(key.priority());
      return true;
    }
    Priority priority = Priority.parse(asked);
    if (priority == null) {
      call.refuse(FailureKind.INVALID_REQUEST, "x-sluice-priority must be high, normal or low", null);
      return false;
    }
    if (priority.above(key.maxPriority())) {
      call.refuse(FailureKind.PRIORITY_NOT_ALLOWED, "this key may ask for priority " + key.maxPriority().label()
          + " at most", null);
      return false;
    }
    call.prioritized(priority);
    return true;
  }

  /**
   * find the model: the ladder of pools of the model the request names (any name, over every pool, when the node
   * has no {@code models:}). An unknown model is refused without asking an upstream; an alias goes on as its
   * model, whose own name the upstream will get.
   */
  private void findModel(Call call, Buffer body, RequestFacts facts) {
    String named = facts.model();
    Ladder ladder = upstreams.current().ladder(named);
    if (ladder == null) {
      if (named == null) {
        call.refuse(FailureKind.INVALID_REQUEST, "'model' is required: this node serves several models", "model");
      } else {
        call.refuse(FailureKind.MODEL_NOT_FOUND, "The model '" + named + "' does not exist", "model");
      }
      return;
    }
    String own = ladder.model();
    boolean alias = own != null && named != null && !own.equals(named);
    call.climbs(ladder, alias);
    estimate(call, body, own == null || own.equals(named) ? facts : facts.withModel(own));
  }

  /**
   * estimate: the budget from what the scanner saw (the client may name the category), counted by a pool's
   * tokenizer when the estimate straddles that pool's context. The count is the step's one asynchronous part:
   * a request that waits for it and whose client leaves meanwhile ends as client-closed, and the count is
   * dropped.
   */
  private void estimate(Call call, Buffer body, RequestFacts facts) {
    Budget estimated = estimator.estimate(facts, call.request().getHeader(SluiceHeaders.CATEGORY),
        facts.api().reservesOutput() ? defaultOutputReserve : 0);
    Future<Budget> budget = exactCounter.count(call, body, facts, estimated);
    if (budget.isComplete()) {
      estimated(call, body, facts, budget.result());
      return;
    }
    budget.onComplete(ar -> {
      if (!call.ended()) {
        estimated(call, body, facts, ar.result());
      }
    });
  }

  private void estimated(Call call, Buffer body, RequestFacts facts, Budget budget) {
    call.estimated(facts, budget);
    RequestTrace trace = call.trace();
    if (trace != null) {
      trace.estimated(budget);
    }
    police(call, body);
  }

  /**
   * police: media URLs the model server would fetch, then the key's request and token limits. In a cluster the
   * units may first have to be leased: the request then waits for the lease, at most {@code LEASE_WAIT_MS} and
   * {@code LEASE_WAITS} times, on its own event loop.
   */
  private void police(Call call, Buffer body) {
    police(call, body, 0);
  }

  private void police(Call call, Buffer body, int waits) {
    Refusal refusal = images.check(call.facts().hasRemoteMedia());
    if (refusal == null) {
      refusal = limiter.charge(call.key(), call.budget().total(), System.nanoTime());
    }
    if (refusal == KeyRateLimiter.LEASING) {
      if (waits < LEASE_WAITS) {
        awaitLease(call, body, waits + 1);
        return;
      }
      refusal = limiter.overLimit(call.key());
    }
    if (refusal != null) {
      call.refuse(refusal);
      return;
    }
    if (limiter.chargesTokens(call.key())) {
      call.chargedTokens(limiter, call.budget().total());
    }
    route(call, body);
  }

  /** The request's units are being leased: police it again when they are back, or when the wait is over. */
  private void awaitLease(Call call, Buffer body, int waits) {
    Context context = Vertx.currentContext();
    Promise<Void> again = Promise.promise();
    long timer = context.owner().setTimer(LEASE_WAIT_MS, id -> again.tryComplete());
    limiter.leased(call.key()).onComplete(ar -> context.runOnContext(v -> {
      context.owner().cancelTimer(timer);
      again.tryComplete();
    }));
    again.future().onComplete(v -> {
      if (!call.ended()) {
        police(call, body, waits);
      }
    });
  }

  /**
   * route: the smallest pool of the model's ladder whose context holds the budget (spill-over permitting); the
   * endpoint is per try. A request that continues server-side state goes where that state is, when the node knows
   * (the pool, and first the endpoint, that made the earlier response), else to the ladder's largest pool: its
   * true size is unknown.
   */
  private void route(Call call, Buffer body) {
    Ladder ladder = call.ladder();
    RequestFacts facts = call.facts();
    Pool pool;
    if (facts.referencesState()) {
      ResponseHomes.Home home = facts.previousResponseId() == null ? null : homes.find(facts.previousResponseId());
      pool = home == null ? null : ladder.pool(home.pool());
      if (pool != null) {
        call.continues(home.endpoint());
      } else {
        pool = ladder.largest();
      }
    } else {
      pool = ladder.route(call.budget().total());
    }
    call.routed(pool);
    admit(call, pool, body);
  }

  /**
   * admit: a slot of the pool now, after a bounded wait served by class and key, or a refusal (saturated,
   * nothing healthy).
   */
  private void admit(Call call, Pool pool, Buffer body) {
    Priority priority = call.priority();
    Ticket ticket = pool.admission().acquire(priority, call.key());
    Future<Permit> granted = ticket.granted();
    if (granted.succeeded()) {
      relay.start(call, body, granted.result());
      return;
    }
    if (granted.failed()) {
      call.refuse((Refusal) granted.cause());
      return;
    }
    // waiting: a client that leaves meanwhile is never dispatched; the wait is not Sluice's own time
    call.stage(ticket::cancel);
    call.ownTimePauses();
    long waitingSince = System.nanoTime();
    RequestTrace trace = call.trace();
    if (trace != null) {
      trace.waiting(pool, priority);
    }
    granted.onComplete(ar -> {
      pool.meters().admissionWait(priority, System.nanoTime() - waitingSince);
      if (trace != null) {
        trace.admitted(ar.succeeded());
      }
      if (call.ended()) {
        if (ar.succeeded()) {
          ar.result().release();
        }
      } else if (ar.succeeded()) {
        call.ownTimeStarts();
        relay.start(call, body, ar.result()); // relay
      } else if (ar.cause() instanceof Refusal why && why.kind() != FailureKind.CLIENT_CLOSED) {
        call.refuse(why);
      } else {
        call.failed(FailureKind.CLIENT_CLOSED);
      }
    });
  }

  /** {@code GET /v1/models}: every pool's models, merged; with API keys on, it needs one like the completions. */
  public Call models(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      return wrongMethod(request, GET);
    }
    Call call = outcomes.open(request);
    if (authenticate(call)) {
      models.serve(call);
    }
    return call;
  }

  /**
   * A request on a connection beyond the node's connection cap: 503 {@code overloaded} (in its API's error shape
   * when it was sent to one, else {@code api} is null), then the connection closes. Nothing of it is read.
   */
  public Call overCapacity(HttpServerRequest request, Api api) {
    Call call = outcomes.open(request);
    if (api != null) {
      call.serves(api);   // answered in the shape its client reads
    }
    call.refuseAndClose(FailureKind.OVERLOADED, "the dispatcher holds as many connections as it may; retry shortly");
    return call;
  }

  /** A known path with a method it does not serve: 405 with {@code Allow}. */
  public Call wrongMethod(HttpServerRequest request, CharSequence allowed) {
    return wrongMethod(outcomes.open(request), allowed);
  }

  private static Call wrongMethod(Call call, CharSequence allowed) {
    HttpServerRequest request = call.request();
    request.response().putHeader(ALLOW, allowed);
    call.refuse(FailureKind.METHOD_NOT_ALLOWED, request.method() + " is not allowed on " + request.path()
        + "; use " + allowed, null);
    return call;
  }

  /** A path no route serves. */
  public Call notFound(HttpServerRequest request) {
    Call call = outcomes.open(request);
    call.refuse(FailureKind.NOT_FOUND, "no route for " + request.method() + " " + request.path(), null);
    return call;
  }
}
