package dev.sluice.dispatcher.protocol;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's cap on open client connections ({@code limits.max_connections}), shared by every event loop of
 * the public listener. A connection beyond it is kept just long enough to answer its first request with 503
 * {@code overloaded} (TCP has no way to say why it is refused), then closed. A counter per connection; a
 * request pays one look-up, and none at all while no connection is over the cap.
 */
public final class ConnectionLimit {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refusedTotal = new AtomicInteger();
  /** Connections beyond the cap, until they close. */
  private final Set<HttpConnection> over = ConcurrentHashMap.newKeySet();

  public ConnectionLimit(int max) {
    this.max = max;
  }

  /** A connection opened: true within the cap; beyond it the connection is marked refused until it closes. */
  boolean opened(HttpConnection connection) {
    if (open.incrementAndGet() <= max) {
      return true;
    }
    over.add(connection);
    refusedTotal.incrementAndGet();
    return false;
  }

  void closed(HttpConnection connection) {
    open.decrementAndGet();
    if (!over.isEmpty()) {
      over.remove(connection);
    }
  }

  /** Whether the request came on a connection beyond the cap (to be answered 503 and closed). */
  public boolean refuses(HttpServerRequest request) {
    return !over.isEmpty() && over.contains(request.connection());
  }

  /** Client connections open now, refused ones included until they close. */
  public int open() {
    return open.get();
  }

  public int max() {
    return max;
  }

  public void bindTo(MeterRegistry registry) {
    Gauge.builder("sluice.client.connections", this, ConnectionLimit::open)
        .description("client connections open now on the public listener").register(registry);
    Gauge.builder("sluice.client.connections.limit", this, ConnectionLimit::max)
        .description("limits.max_connections: a connection beyond it is answered 503 overloaded and closed")
        .register(registry);
    FunctionCounter.builder("sluice.client.connections.refused", refusedTotal, AtomicInteger::get)
        .description("connections beyond limits.max_connections, answered 503 or closed").register(registry);
  }
}
