package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.config.Defaults;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.route.Endpoint;
import dev.sluice.dispatcher.route.EndpointSet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;

/**
 * One pool at run time: its endpoints, the one HTTP client all event loops share towards them, and its
 * meters. The client's wait queue is bounded so that overload turns into a fast 503, not a growing queue.
 */
public final class UpstreamPool {
  private final int index;
  private final PoolConfig config;
  private final EndpointSet endpoints;
  private final HttpClientAgent client;
  private final DispatcherMetrics.PoolMeters meters;
  private final CharSequence nameHeader;

  UpstreamPool(Vertx vertx, int index, PoolConfig config, Timeouts timeouts, DispatcherMetrics metrics,
      java.util.function.Supplier<Number> poolInFlight) {
    this.index = index;
    this.config = config;
    this.endpoints = new EndpointSet(config.endpoints().stream().map(Endpoint::of).toList());
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout(timeouts.connectMs())
        .setKeepAlive(true)
        .setKeepAliveTimeout(Defaults.UPSTREAM_KEEP_ALIVE_SECONDS)
        .setPipelining(false)
        // the relay forwards bytes as they are; decompressing would change them
        .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(config.limits().maxConnectionsPerEndpoint())
        .setMaxWaitQueueSize(config.limits().maxWaitQueue());
    this.client = vertx.createHttpClient(options, pool);
    // the gauge reads the pool of this name that is current, not this instance, so it survives a reload
    this.meters = metrics.pool(config.name(), poolInFlight);
    this.nameHeader = HttpHeaders.createOptimized(config.name());
  }

  public int index() {
    return index;
  }

  public String name() {
    return config.name();
  }

  public int context() {
    return config.context();
  }

  /** The name, encoded once for the {@code x-sluice-pool} header. */
  public CharSequence nameHeader() {
    return nameHeader;
  }

  public PoolConfig config() {
    return config;
  }

  public EndpointSet endpoints() {
    return endpoints;
  }

  public HttpClientAgent client() {
    return client;
  }

  public DispatcherMetrics.PoolMeters meters() {
    return meters;
  }

  /** Requests in flight over all endpoints of the pool. */
  public int inFlight() {
    int sum = 0;
    for (int i = 0; i < endpoints.size(); i++) {
      sum += endpoints.get(i).inFlight();
    }
    return sum;
  }

  Future<Void> close() {
    return client.close();
  }
}
