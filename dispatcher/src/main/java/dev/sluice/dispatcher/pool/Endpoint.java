package dev.sluice.dispatcher.pool;

import dev.sluice.dispatcher.balance.BudgetLoad;
import dev.sluice.dispatcher.balance.KeyHash;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.health.EndpointHealth;
import dev.sluice.dispatcher.health.EndpointLoad;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upstream server of a pool, and everything Sluice knows of it: its address (parsed once, so the request
 * path does no parsing), the requests Sluice has on it now and their budgets, its health (outlier and probe
 * state) and the load its last {@code /metrics} scrape reported. Shared by every event loop: the counters are
 * atomic, the rest volatile or immutable, and nothing takes a lock on the request path.
 */
public final class Endpoint {
  private final String url;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final EndpointHealth health;
  private final long seed;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong budgetInFlight = new AtomicLong();
  private final LongAdder affinityTries = new LongAdder();

  /**
   * @param uri    the server's root URL such as {@code http://10.0.0.5:8000} (request paths like
   *               {@code /v1/models} are appended to its path); the port defaults from the scheme
   * @param health this endpoint's health entry in its pool
   */
  Endpoint(URI uri, EndpointHealth health) {
    this.url = uri.toString();
    this.ssl = "https".equalsIgnoreCase(uri.getScheme());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    this.basePath = path;
    this.health = health;
    this.seed = KeyHash.of(url);
  }

  /** The upstream request URI for a client request URI (path and query). */
  public String uri(String requestUri) {
    return basePath.isEmpty() ? requestUri : basePath + requestUri;
  }

  public String url() {
    return url;
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

  /** Whether requests may go here now: its probe says up and it is not ejected. */
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
