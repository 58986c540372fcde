package dev.sluice.dispatcher.protocol;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * What bounds a node's memory whatever its clients do: the {@code limits:} section. Both are node-wide,
 * across every event loop, and both refuse with 503 {@code overloaded} and {@code Retry-After} rather than
 * queue.
 *
 * @param maxConnections        client connections held open at once on the public listener; a connection
 *                              beyond it gets a 503 to its first request and is closed
 * @param maxBufferedBodyBytes  request body bytes held at once by every request of the node (bodies are
 *                              held whole until the upstream answers, for retries); a request that would pass
 *                              it is answered before its body is read
 */
public record NodeLimits(int maxConnections, long maxBufferedBodyBytes) {
  static final Key<NodeLimits, Integer> MAX_CONNECTIONS = Key.of("max_connections", Type.INTEGER,
          NodeLimits::maxConnections).byDefault(10_000).positive().flag("--max-connections", "N")
      .doc("client connections open at once on the public listener; beyond it a new connection gets 503 "
          + "`overloaded` to its first request (or nothing, when it sends none within a second) and is closed");
  static final Key<NodeLimits, Long> MAX_BUFFERED_BODY_BYTES = Key.of("max_buffered_body_bytes", Type.LONG,
          NodeLimits::maxBufferedBodyBytes).byDefault(256L * 1024 * 1024).positive()
      .doc("request body bytes all requests of the node may hold at once; a request that would pass it gets 503 "
          + "`overloaded` with `Retry-After` before its body is read (a chunked body as soon as it would)");

  /** The {@code limits:} section. */
  public static final Section<NodeLimits> SECTION = Section.of("limits",
          v -> new NodeLimits(v.get(MAX_CONNECTIONS), v.get(MAX_BUFFERED_BODY_BYTES)),
          MAX_CONNECTIONS, MAX_BUFFERED_BODY_BYTES)
      .doc("`limits:`", "Bounds on a node's memory (docs/reliability.md).");

  public static final NodeLimits DEFAULTS = SECTION.defaults();

  public NodeLimits withMaxConnections(int value) {
    return SECTION.with(this, MAX_CONNECTIONS, value);
  }

  public NodeLimits withMaxBufferedBodyBytes(long value) {
    return SECTION.with(this, MAX_BUFFERED_BODY_BYTES, value);
  }
}
