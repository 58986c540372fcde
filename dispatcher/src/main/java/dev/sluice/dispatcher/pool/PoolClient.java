package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a pool keeps for as long as its configuration stays the same: an HTTP client per event loop towards its
 * endpoints, the trust they check certificates against, the key it presents and its name as a header.
 * Discovery changes a pool's endpoints, never this; a reload that changes the pool's configuration makes a new
 * one, and the old one closes once no request is left on any endpoint it served. Clients are made and closed
 * here only.
 *
 * <p>Each client's wait queue is bounded so that overload turns into a fast 503, not a growing queue.
 */
final class PoolClient {
  /**
   * Idle pooled connections to an upstream are closed after this many seconds. Below uvicorn's 5 s keep-alive
   * (vLLM's server), so Sluice closes first rather than reuse a connection the server is closing.
   */
  static final int UPSTREAM_KEEP_ALIVE_SECONDS = 4;

  private final PoolConfig config;
  private final CharSequence nameHeader;
  private final ClientSSLOptions tls;
  private final Vertx vertx;
  private final HttpClientOptions clientOptions;
  private final PoolOptions poolOptions;
  /**
   * One client per event loop, made on its first request there. A client shared by every loop hands a request
   * a connection that another loop owns, and every event of that exchange then crosses threads through task
   * queues: 45% of the event loops' CPU samples at 2 loops (docs/benchmarks.md, "Per-loop upstream clients").
   */
  private final ConcurrentHashMap<EventLoop, HttpClientAgent> clients = new ConcurrentHashMap<>();
  private final String upstreamAuthorization;
  /** Every endpoint a request may still hold on this client: the current ones and departed ones still busy. */
  private final Set<Endpoint> endpoints = ConcurrentHashMap.newKeySet();

  /** @param eventLoops the event loops requests arrive on; the connection limits are spread over them */
  PoolClient(Vertx vertx, PoolConfig config, Timeouts timeouts, String upstreamKey, int eventLoops) {
    this.vertx = vertx;
    this.config = config;
    this.nameHeader = HttpHeaders.createOptimized(config.name());
    this.upstreamAuthorization = upstreamKey == null ? null : "Bearer " + upstreamKey;
    // https endpoints: the pool's CA file, else the JVM's trust store; the host name is checked either way
    PemTrustOptions trust = config.caFile() == null ? null : new PemTrustOptions().addCertPath(config.caFile().toString());
    this.tls = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS").setTrustOptions(trust);
    this.clientOptions = new HttpClientOptions()
        .setConnectTimeout(timeouts.connectMs())
        .setKeepAlive(true)
        .setKeepAliveTimeout(UPSTREAM_KEEP_ALIVE_SECONDS)
        .setPipelining(false)
        // the relay forwards bytes as they are; decompressing would change them
        .setDecompressionSupported(false)
        // a discovered endpoint is connected to by address: the name still goes in SNI
        .setForceSni(true)
        .setVerifyHost(true)
        .setTrustOptions(trust);
    int loops = Math.max(1, eventLoops);
    this.poolOptions = new PoolOptions()
        .setHttp1MaxSize(perLoop(config.limits().maxConnectionsPerEndpoint(), loops))
        .setMaxWaitQueueSize(perLoop(config.limits().maxWaitQueue(), loops));
  }

  /** One loop's share of a node-wide limit, rounded up. */
  private static int perLoop(int limit, int loops) {
    return (limit + loops - 1) / loops;
  }

  /** The limits of each event loop's client. */
  PoolOptions perLoopLimits() {
    return poolOptions;
  }

  PoolConfig config() {
    return config;
  }

  CharSequence nameHeader() {
    return nameHeader;
  }

  /** The client of the event loop that runs {@code context}: its connections live on that loop. */
  HttpClientAgent client(ContextInternal context) {
    EventLoop loop = context.nettyEventLoop();
    HttpClientAgent c = clients.get(loop);
    return c != null ? c : clients.computeIfAbsent(loop, l -> vertx.createHttpClient(clientOptions, poolOptions));
  }

  /** The trust for https endpoints, for requests sent by another client (the prober's). */
  ClientSSLOptions tls() {
    return tls;
  }

  String upstreamAuthorization() {
    return upstreamAuthorization;
  }

  /** An endpoint now reached through this client. */
  void serves(Endpoint endpoint) {
    endpoints.add(endpoint);
  }

  /** Forgets endpoints that are no longer current and have nothing in flight. */
  void prune(Set<Endpoint> current) {
    endpoints.removeIf(e -> !current.contains(e) && e.inFlight() == 0);
  }

  /** Requests in flight on this client, over every endpoint it served that may still be busy. */
  int inFlight() {
    int sum = 0;
    for (Endpoint e : endpoints) {
      sum += e.inFlight();
    }
    return sum;
  }

  Future<Void> close() {
    return Future.join(clients.values().stream().map(HttpClientAgent::close).toList()).mapEmpty();
  }
}
