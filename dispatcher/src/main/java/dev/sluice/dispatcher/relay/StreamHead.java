package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The head of a 2xx event stream, held until it shows whether the upstream is answering or failing: pure,
 * no socket, fed the response's chunks in order before the commit point.
 *
 * <p>The first event with a {@code data:} line decides. Data that starts as an {@code {"error": ...}} object
 * (or {@code {"type":"error", ...}}, the Responses and Messages APIs' error event) is a failed try ({@link Verdict#ERROR}, classified by {@link StreamError}); anything else is an answer
 * ({@link Verdict#DATA}). Events without data (SSE comments, keep-alives) and vLLM's opening role chunk
 * ({@code "delta":{"role":"assistant","content":""}}) say nothing yet and are passed over: vLLM writes the
 * role chunk as soon as the engine's first output arrives and only then reads that output's finish reason,
 * so a request the engine failed at its first step comes back as the role chunk, then the error. Both come
 * in the same turn, so holding the role chunk does not delay the first token.
 *
 * <p>Nothing is copied while the first chunk alone decides (the usual case: vLLM's role chunk and first token
 * arrive together). Past {@code maxBytes} without a decision the stream counts as an answer.
 */
public final class StreamHead {

  /** What the bytes so far show. */
  public enum Verdict {
    /** Not yet known: offer the next chunk, or call {@link #end} when the upstream ended. */
    MORE,
    /** An answer: commit and forward {@link #held()}, then the rest of the stream as it comes. */
    DATA,
    /** The upstream failed this try: {@link #error()} says how; {@link #held()} is the stream as it came. */
    ERROR
  }

  private static final byte[] DATA_FIELD = ascii("data:");
  private static final byte[] ERROR_KEY = ascii("\"error\"");
  private static final byte[] TYPE_ERROR = ascii("\"type\":\"error\"");
  private static final byte[] ROLE_DELTA = ascii("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}");

  private final int maxBytes;
  private Buffer held;
  private boolean owned;
  /** Start of the first event not yet passed over. */
  private int next;
  private StreamError error;

  /** @param maxBytes bytes held at most before the stream counts as an answer */
  public StreamHead(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Adds the next chunk of the response and tells what the head shows now. */
  public Verdict offer(Buffer chunk) {
    if (held == null) {
      held = chunk;
    } else {
      if (!owned) {
        held = Buffer.buffer(Math.max(256, 2 * (held.length() + chunk.length()))).appendBuffer(held);
        owned = true;
      }
      held.appendBuffer(chunk);
    }
    return decide(false);
  }

  /** The upstream ended: decides on what was held (never {@link Verdict#MORE}). */
  public Verdict end() {
    return held == null ? Verdict.DATA : decide(true);
  }

  /** Everything offered so far, as it came; null when nothing was offered. */
  public Buffer held() {
    return held;
  }

  /** The failure when the verdict was {@link Verdict#ERROR}, else null. */
  public StreamError error() {
    return error;
  }

  private Verdict decide(boolean ended) {
    Bytes b = Bytes.of(held);
    int len = held.length();
    while (next < len) {
      int end = eventEnd(b, next, len);
      if (end < 0) {
        if (!ended) {
          return len > maxBytes ? Verdict.DATA : Verdict.MORE;
        }
        end = len; // the last event, cut short of its blank line
      }
      int data = dataValue(b, next, end);
      if (data >= 0) {
        if (startsAsError(b, data, end)) {
          error = StreamError.parse(dataOf(b, next, end)).orElse(null);
          return error != null ? Verdict.ERROR : Verdict.DATA;
        }
        if (indexOf(b, data, lineEnd(b, data, end), ROLE_DELTA) < 0) {
          return Verdict.DATA;
        }
      }
      next = end;
    }
    return ended || len > maxBytes ? Verdict.DATA : Verdict.MORE;
  }

  /**
   * Offset just past the blank line that ends the event starting at {@code from}, or -1 when it has not
   * arrived. Lines end with LF, CR or CRLF. A blank line that is a CR at the very end ends the event even if
   * an LF follows later: that LF then makes an empty event of its own, which has no data and is passed over.
   */
  static int eventEnd(Bytes b, int from, int to) {
    int p = from;
    while (p < to) {
      int start = p;
      p = lineEnd(b, p, to);
      if (p == to) {
        return -1;
      }
      boolean blank = p == start;
      p += b.at(p) == '\r' && p + 1 < to && b.at(p + 1) == '\n' ? 2 : 1;
      if (blank) {
        return p;
      }
    }
    return -1;
  }

  /** Offset of the value of the event's first {@code data:} line (one space after the colon dropped), or -1. */
  private static int dataValue(Bytes b, int from, int to) {
    int p = from;
    while (p < to) {
      if (startsWith(b, p, to, DATA_FIELD)) {
        int v = p + DATA_FIELD.length;
        return v < to && b.at(v) == ' ' ? v + 1 : v;
      }
      p = lineEnd(b, p, to);
      p += p + 1 < to && b.at(p) == '\r' && b.at(p + 1) == '\n' ? 2 : 1;
    }
    return -1;
  }

  /** The event's data: its data lines' values joined by newlines (JSON reads them as whitespace). */
  private static Buffer dataOf(Bytes b, int from, int to) {
    Buffer out = Buffer.buffer(to - from);
    int p = from;
    while (p < to) {
      int end = lineEnd(b, p, to);
      if (startsWith(b, p, end, DATA_FIELD)) {
        for (int i = p + DATA_FIELD.length; i < end; i++) {
          out.appendByte(b.at(i));
        }
        out.appendByte((byte) '\n');
      }
      p = end + (end + 1 < to && b.at(end) == '\r' && b.at(end + 1) == '\n' ? 2 : 1);
    }
    return out;
  }

  /**
   * Whether the value at {@code p} opens an object whose first key is {@code "error"} (chat, completions) or
   * that starts {@code "type":"error"} (the Responses and Messages APIs' error events).
   */
  private static boolean startsAsError(Bytes b, int p, int to) {
    p = skipBlanks(b, p, to);
    if (p >= to || b.at(p) != '{') {
      return false;
    }
    int key = skipBlanks(b, p + 1, to);
    return startsWith(b, key, to, ERROR_KEY) || startsWith(b, key, to, TYPE_ERROR);
  }

  private static int skipBlanks(Bytes b, int p, int to) {
    while (p < to && (b.at(p) == ' ' || b.at(p) == '\t')) {
      p++;
    }
    return p;
  }

  private static int lineEnd(Bytes b, int p, int to) {
    while (p < to && b.at(p) != '\n' && b.at(p) != '\r') {
      p++;
    }
    return p;
  }

  private static boolean startsWith(Bytes b, int p, int to, byte[] prefix) {
    if (to - p < prefix.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b.at(p + k) != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(Bytes b, int from, int to, byte[] pattern) {
    for (int i = from; i <= to - pattern.length; i++) {
      if (startsWith(b, i, to, pattern)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
