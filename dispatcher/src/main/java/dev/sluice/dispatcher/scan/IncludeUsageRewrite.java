package dev.sluice.dispatcher.scan;

import io.vertx.core.buffer.Buffer;

/**
 * Minimal byte-level rewrite that makes a streaming request ask the upstream for
 * {@code stream_options.include_usage=true}, using the offsets in {@link RequestFacts}.
 */
public final class IncludeUsageRewrite {
  private IncludeUsageRewrite() {
  }

  /** Returns the body to send upstream: the same buffer when nothing must change. */
  public static Buffer apply(Buffer body, RequestFacts facts) {
    throw new UnsupportedOperationException("not built yet");
  }
}
