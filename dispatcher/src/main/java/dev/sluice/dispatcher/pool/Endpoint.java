package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.balance.BudgetLoad;
import dev.sluice.dispatcher.balance.KeyHash;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.EndpointLoad;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upstream server of a pool, and everything Sluice knows of it: its address (parsed once, so the request
 * path does no parsing), the requests Sluice has on it now and their budgets, its health (outlier, probe and
 * drain state) and the load its last {@code /metrics} scrape reported. Shared by every event loop: the counters
 * are atomic, the rest volatile or immutable, and nothing takes a lock on the request path.
 *
 * <p>An endpoint found through DNS ({@code dns+http://name:port}) connects to its resolved address while the
 * requests keep the name for {@code Host} and TLS (SNI and the certificate check); its {@link #url()} names the
 * address, its {@link #origin()} the URL it was found through.
 */
public final class Endpoint {
  private final String url;
  private final String origin;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  /** Where to connect when it is not {@code host:port} itself (an address DNS discovery resolved), else null. */
  private final SocketAddress server;
  private final String address;
  private final EndpointHealth health;
  private final long seed;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong budgetInFlight = new AtomicLong();
  private final LongAdder affinityTries = new LongAdder();

  /**
   * @param origin   the configured URL: {@code http://10.0.0.5:8000}, or {@code dns+http://name:port} for a
   *                 discovered endpoint (request paths like {@code /v1/models} are appended to its path); the
   *                 port defaults from the scheme
   * @param resolved the address the name resolved to, or null for an endpoint written as a plain URL
   * @param health   this endpoint's health entry
   */
  Endpoint(URI origin, InetAddress resolved, EndpointHealth health) {
    this.origin = origin.toString();
    this.ssl = https(origin);
    this.host = origin.getHost();
    this.port = port(origin);
    this.basePath = basePath(origin);
    this.server = resolved == null ? null : SocketAddress.inetSocketAddress(new InetSocketAddress(resolved, port));
    this.url = resolved == null ? this.origin : url(origin, resolved);
    this.address = (resolved == null ? host : literal(resolved)) + ":" + port;
    this.health = health;
    // the rendezvous seed follows the address: an endpoint rediscovered at the same address keeps its keys
    this.seed = KeyHash.of(url);
  }

  /** The URL of the endpoint at {@code address} discovered through {@code origin}: its address, its path. */
  static String url(URI origin, InetAddress address) {
    return (https(origin) ? "https://" : "http://") + literal(address) + ":" + port(origin) + basePath(origin);
  }

  private static boolean https(URI origin) {
    return Discovery.scheme(origin).equals("https");
  }

  private static int port(URI origin) {
    return origin.getPort() > 0 ? origin.getPort() : (https(origin) ? 443 : 80);
  }

  private static String basePath(URI origin) {
    String path = origin.getRawPath() == null ? "" : origin.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path;
  }

  /** An address as a URL writes it: IPv6 in brackets. */
  private static String literal(InetAddress address) {
    String ip = address.getHostAddress();
    return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
  }

  /** The upstream request URI for a client request URI (path and query). */
  public String uri(String requestUri) {
    return basePath.isEmpty() ? requestUri : basePath + requestUri;
  }

  /**
   * Options for a request to this endpoint: {@code requestUri} (path and query) under its base path, sent to its
   * address with its host name. The one place a request to an upstream is addressed.
   */
  public RequestOptions request(HttpMethod method, String requestUri) {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(host)
        .setPort(port)
        .setSsl(ssl)
        .setURI(uri(requestUri));
    return server == null ? options : options.setServer(server);
  }

  /** The endpoint's identity: its URL, or for a discovered one the URL of its resolved address. */
  public String url() {
    return url;
  }

  /** The configured URL it comes from: its own, or the {@code dns+http://} URL it was discovered through. */
  public String origin() {
    return origin;
  }

  /** Whether DNS discovery found it. */
  public boolean discovered() {
    return server != null;
  }

  /** {@code host:port} of the address connected to: what an operator names to drain it. */
  public String address() {
    return address;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean ssl() {
    return ssl;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** The budgets (estimated prompt plus output reserve) of the requests in flight here. */
  public long budgetInFlight() {
    return budgetInFlight.get();
  }

  /** Counts a request of {@code budget} tokens as started here. Pair with exactly one {@link #release(long)}. */
  public void acquire(long budget) {
    inFlight.incrementAndGet();
    budgetInFlight.addAndGet(budget);
  }

  /** The request of {@code budget} tokens that {@link #acquire(long)} counted has ended here. */
  public void release(long budget) {
    inFlight.decrementAndGet();
    budgetInFlight.addAndGet(-budget);
  }

  /** Its rendezvous seed: the hash of its URL, the same on every node. */
  long seed() {
    return seed;
  }

  /** Tries sent here for their affinity key (its own keys and those spilled to it). */
  public long affinityTries() {
    return affinityTries.sum();
  }

  void countAffinityTry() {
    affinityTries.increment();
  }

  /** Its load for a request of {@code requestBudget} tokens ({@link BudgetLoad}), with scrapes younger than stale. */
  public double load(long nowNanos, long staleMillis, long requestBudget) {
    EndpointLoad scraped = health.load();
    boolean fresh = scraped.fresh(nowNanos, staleMillis);
    return BudgetLoad.of(budgetInFlight.get(), inFlight.get(), fresh ? scraped.waitingOrZero() : 0,
        fresh ? scraped.kvOrZero() : 0, requestBudget);
  }

  public EndpointHealth health() {
    return health;
  }

  /** Whether requests may go here now: its probe says up, it is not ejected and not drained. */
  public boolean available(long nowNanos) {
    return health.available(nowNanos);
  }

  /**
   * Requests the endpoint itself reports waiting ({@code vllm:num_requests_waiting}) in a scrape younger than
   * {@code staleMillis}, else 0: work that other dispatcher nodes sent is seen too.
   */
  public double queued(long nowNanos, long staleMillis) {
    EndpointLoad load = health.load();
    return load.fresh(nowNanos, staleMillis) ? load.waitingOrZero() : 0;
  }

  /**
   * How a try on this endpoint ended, for its outlier state: {@code failure} null means it answered (any status
   * that says nothing bad about the server); a failure counts against it only when its row says so.
   */
  public void record(FailureKind failure, long nowNanos) {
    if (failure == null || !failure.endpointFault()) {
      health.recordSuccess(nowNanos);
    } else {
      health.recordFailure(nowNanos);
    }
  }

  @Override
  public String toString() {
    return url;
  }
}
