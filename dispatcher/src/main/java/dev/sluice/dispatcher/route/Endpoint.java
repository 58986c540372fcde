package dev.sluice.dispatcher.route;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream server of a pool and the number of requests it is serving now. Shared by every event loop,
 * hence the atomic counter (no lock).
 *
 * @implNote {@code host}, {@code port} and {@code ssl} are parsed once from the URL so the request path
 *     does no parsing.
 */
public final class Endpoint {
  private final String url;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** @param basePath path prefix in front of every request path, "" for a server root */
  public Endpoint(String url, String host, int port, boolean ssl, String basePath) {
    this.url = url;
    this.host = host;
    this.port = port;
    this.ssl = ssl;
    this.basePath = basePath;
  }

  /**
   * From the server's root URL such as {@code http://10.0.0.5:8000} (request paths like {@code /v1/models}
   * are appended to it); the port defaults from the scheme.
   */
  public static Endpoint of(java.net.URI uri) {
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new Endpoint(uri.toString(), uri.getHost(), port, ssl, path);
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

  /** Counts a request as started on this endpoint. Pair with exactly one {@link #release()}. */
  public void acquire() {
    inFlight.incrementAndGet();
  }

  public void release() {
    inFlight.decrementAndGet();
  }

  @Override
  public String toString() {
    return url;
  }
}
