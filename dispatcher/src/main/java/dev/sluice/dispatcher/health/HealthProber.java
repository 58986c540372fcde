package dev.sluice.dispatcher.health;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Off the request path: probes every endpoint's {@code GET /health} and scrapes its {@code GET /metrics}
 * on timers, with its own small HTTP client (bounded pool and wait queue), and publishes the results
 * into the endpoints' {@link EndpointHealth}. A probe or scrape still running when the next tick comes is not
 * doubled. A failed scrape leaves the last snapshot to go stale rather than inventing zeros. Each round probes
 * the endpoints there are now ({@code targets} is asked every round), so discovery and reloads need no new
 * prober.
 */
public final class HealthProber {

  /**
   * One distinct endpoint: how a {@code GET} of a path is addressed to it, and the health entry of every pool
   * that lists it (each pool judges its own share).
   */
  public record Target(Function<String, RequestOptions> request, List<EndpointHealth> entries) {
    public Target {
      entries = List.copyOf(entries);
    }

    /** A server at a plain URL ({@code http://host:port}, a path in it kept as a prefix). */
    public static Target at(String baseUrl, List<EndpointHealth> entries) {
      String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
      return new Target(path -> new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(base + path), entries);
    }
  }

  /** Larger /metrics bodies are not read: a scrape is a few KiB to a few hundred KiB on vLLM. */
  public static final long MAX_METRICS_BYTES = 8L * 1024 * 1024;

  private final Vertx vertx;
  /** Distinct endpoint URL → its target, as the pools are now. */
  private final Supplier<Map<String, Target>> targets;
  private final OutlierPolicy policy;
  private final HttpClientAgent client;
  /** Every round starts here: begun on another thread, a reply could arrive before its body handler is set. */
  private final Context context;
  private final List<Long> timers = new ArrayList<>();
  private final Set<String> probing = ConcurrentHashMap.newKeySet();
  private final Set<String> scraping = ConcurrentHashMap.newKeySet();

  /** @param targets distinct endpoint URL → its target, asked at every round */
  public HealthProber(Vertx vertx, OutlierPolicy policy, Supplier<Map<String, Target>> targets) {
    this.vertx = vertx;
    this.targets = targets;
    this.policy = policy;
    this.context = vertx.getOrCreateContext();
    // two connections per endpoint; a round never queues more than a probe and a scrape per endpoint
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) policy.probeTimeoutMillis())
            .setKeepAlive(true)
            .setMaxRedirects(0),
        new PoolOptions().setHttp1MaxSize(2).setMaxWaitQueueSize(-1));
  }

  /** Starts the timers (and runs a first round at once). */
  public HealthProber start() {
    if (policy.probeIntervalMillis() > 0) {
      probeAll();
      timers.add(vertx.setPeriodic(policy.probeIntervalMillis(), id -> probeAll()));
    }
    if (policy.scrapeIntervalMillis() > 0) {
      scrapeAll();
      timers.add(vertx.setPeriodic(policy.scrapeIntervalMillis(), id -> scrapeAll()));
    }
    return this;
  }

  public Future<Void> stop() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    return client.close();
  }

  /** One probe round; the returned future completes when every probe has answered or failed. */
  public Future<Void> probeAll() {
    return onContext(this::probeRound);
  }

  private Future<Void> probeRound() {
    List<Future<Void>> all = new ArrayList<>();
    for (Map.Entry<String, Target> e : targets.get().entrySet()) {
      String url = e.getKey();
      if (probing.add(url)) {
        all.add(probe(e.getValue()).eventually(() -> {
          probing.remove(url);
          return Future.succeededFuture();
        }));
      }
    }
    return Future.join(all).mapEmpty();
  }

  /** One scrape round. */
  public Future<Void> scrapeAll() {
    return onContext(this::scrapeRound);
  }

  private Future<Void> scrapeRound() {
    List<Future<Void>> all = new ArrayList<>();
    for (Map.Entry<String, Target> e : targets.get().entrySet()) {
      String url = e.getKey();
      if (scraping.add(url)) {
        all.add(scrape(e.getValue()).eventually(() -> {
          scraping.remove(url);
          return Future.succeededFuture();
        }));
      }
    }
    return Future.join(all).mapEmpty();
  }

  private Future<Void> onContext(Supplier<Future<Void>> round) {
    if (Vertx.currentContext() == context) {
      return round.get();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> round.get().onComplete(done));
    return done.future();
  }

  /**
   * Up when the server answers {@code /health} with anything below 500: a 404 still proves a live
   * OpenAI-compatible server that simply lacks the route; vLLM answers 200.
   */
  private Future<Void> probe(Target target) {
    return get(target, "/health")
        .compose(response -> response.body().map(body -> response.statusCode()))
        .map(status -> status < 500)
        .otherwise(false)
        .map(ok -> {
          target.entries().forEach(e -> e.recordProbe(ok));
          return null;
        });
  }

  private Future<Void> scrape(Target target) {
    return get(target, "/metrics")
        .compose(response -> {
          if (response.statusCode() != 200 || declaredTooLarge(response)) {
            return response.end().mapEmpty();
          }
          return response.body().map(body -> {
            publish(target.entries(), body);
            return null;
          });
        })
        .otherwiseEmpty()
        .mapEmpty();
  }

  private static boolean declaredTooLarge(HttpClientResponse response) {
    String length = response.getHeader("content-length");
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.trim()) > MAX_METRICS_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static void publish(List<EndpointHealth> entries, Buffer body) {
    if (body.length() > MAX_METRICS_BYTES) {
      return;
    }
    EndpointLoad load = VllmMetricsParser.parse(body.getBytes(), System.nanoTime());
    if (load.known()) {
      entries.forEach(e -> e.publishLoad(load));
    }
  }

  private Future<HttpClientResponse> get(Target target, String path) {
    RequestOptions options = target.request().apply(path)
        .setTimeout(policy.probeTimeoutMillis())
        .setFollowRedirects(false);
    return client.request(options).compose(request -> request.send());
  }
}
