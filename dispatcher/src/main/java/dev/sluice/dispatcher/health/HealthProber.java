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
import java.util.function.Supplier;

/**
 * Off the request path: probes every endpoint's {@code GET /health} and scrapes its {@code GET /metrics}
 * on timers, with its own small HTTP client (bounded pool and wait queue), and publishes the results
 * into the endpoints' {@link EndpointHealth}. A probe or scrape still running when the next tick comes is not
 * doubled. A failed scrape leaves the last snapshot to go stale rather than inventing zeros.
 */
public final class HealthProber {

  /** Larger /metrics bodies are not read: a scrape is a few KiB to a few hundred KiB on vLLM. */
  public static final long MAX_METRICS_BYTES = 8L * 1024 * 1024;

  private final Vertx vertx;
  /** Distinct endpoint URL → the health entry of every pool that lists it (each pool judges its own share). */
  private final Map<String, List<EndpointHealth>> endpoints;
  private final OutlierPolicy policy;
  private final HttpClientAgent client;
  /** Every round starts here: begun on another thread, a reply could arrive before its body handler is set. */
  private final Context context;
  private final List<Long> timers = new ArrayList<>();
  private final Set<String> probing = ConcurrentHashMap.newKeySet();
  private final Set<String> scraping = ConcurrentHashMap.newKeySet();

  /** @param endpoints distinct endpoint URL → its health entries, one per pool that lists it */
  public HealthProber(Vertx vertx, OutlierPolicy policy, Map<String, List<EndpointHealth>> endpoints) {
    this.vertx = vertx;
    this.endpoints = Map.copyOf(endpoints);
    this.policy = policy;
    this.context = vertx.getOrCreateContext();
    int distinct = Math.max(1, endpoints.size());
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) policy.probeTimeoutMillis())
            .setKeepAlive(true)
            .setMaxRedirects(0),
        new PoolOptions().setHttp1MaxSize(2).setMaxWaitQueueSize(2 * distinct));
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
    for (String url : endpoints.keySet()) {
      if (probing.add(url)) {
        all.add(probe(url).eventually(() -> {
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
    for (String url : endpoints.keySet()) {
      if (scraping.add(url)) {
        all.add(scrape(url).eventually(() -> {
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
  private Future<Void> probe(String url) {
    return get(url, "/health")
        .compose(response -> response.body().map(body -> response.statusCode()))
        .map(status -> status < 500)
        .otherwise(false)
        .map(ok -> {
          endpoints.get(url).forEach(e -> e.recordProbe(ok));
          return null;
        });
  }

  private Future<Void> scrape(String url) {
    return get(url, "/metrics")
        .compose(response -> {
          if (response.statusCode() != 200 || declaredTooLarge(response)) {
            return response.end().mapEmpty();
          }
          return response.body().map(body -> {
            publish(endpoints.get(url), body);
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

  private Future<HttpClientResponse> get(String baseUrl, String path) {
    String absoluteUri = (baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl) + path;
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(absoluteUri)
        .setTimeout(policy.probeTimeoutMillis())
        .setFollowRedirects(false);
    return client.request(options).compose(request -> request.send());
  }
}
