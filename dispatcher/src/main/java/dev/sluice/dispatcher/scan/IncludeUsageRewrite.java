package dev.sluice.dispatcher.scan;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Minimal byte-level rewrite that makes a streaming request ask the upstream for
 * {@code stream_options.include_usage=true}, using the offsets in {@link RequestFacts}.
 *
 * <p>Exactly one edit is made and every other byte is kept: a replaced {@code include_usage} value
 * ({@code false} or {@code null}), an object in place of {@code "stream_options":null}, or a
 * {@code stream_options} field inserted before the body's closing brace. A {@code stream_options} object
 * the client wrote without {@code include_usage}, or with {@code continuous_usage_stats}, is never edited:
 * see {@link RequestFacts#includeUsage()}.
 */
public final class IncludeUsageRewrite {
  private static final byte[] TRUE = ascii("true");
  private static final byte[] OBJECT = ascii("{\"include_usage\":true}");
  private static final byte[] MEMBER = ascii(",\"stream_options\":{\"include_usage\":true}");

  private IncludeUsageRewrite() {
  }

  /** Whether {@link #apply} would change the body: a stream that did not ask for usage itself. */
  public static boolean needed(RequestFacts facts) {
    return facts.stream() && !facts.includeUsage();
  }

  /** Returns the body to send upstream: the same buffer when nothing must change. */
  public static Buffer apply(Buffer body, RequestFacts facts) {
    Edit edit = edit(body, facts);
    return edit == null ? body : edit.applyTo(body);
  }

  /** The one edit {@link #apply} makes, or null when nothing must change. */
  static Edit edit(Buffer body, RequestFacts facts) {
    if (!needed(facts)) {
      return null;
    }
    if (facts.includeUsageValueStart() >= 0) {
      int from = facts.includeUsageValueStart();
      expect(body, from, facts.includeUsageValueEnd() - from == 5 ? 'f' : 'n');
      return new Edit(from, facts.includeUsageValueEnd(), TRUE);
    }
    int options = facts.streamOptionsStart();
    if (options >= 0) {
      expect(body, options, 'n'); // "stream_options": null; an object is edited only through its include_usage
      return new Edit(options, options + 4, OBJECT);
    }
    expect(body, facts.bodyEnd(), '}');
    return new Edit(facts.bodyEnd(), facts.bodyEnd(), MEMBER);
  }

  /** Refuses facts that were not scanned from this very body rather than corrupting it. */
  private static void expect(Buffer body, int offset, char expected) {
    if (offset < 0 || offset >= body.length() || body.getByte(offset) != expected) {
      throw new IllegalArgumentException("request facts do not match this body at offset " + offset);
    }
  }

  /** Bytes {@code [from, to)} of a body replaced by {@code insert}. */
  record Edit(int from, int to, byte[] insert) {
    Buffer applyTo(Buffer body) {
      Buffer out = Buffer.buffer(body.length() - (to - from) + insert.length);
      return out.appendBuffer(body, 0, from).appendBytes(insert).appendBuffer(body, to, body.length() - to);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
