package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Tap for an SSE (streaming) response. Reads {@code usage.prompt_tokens} from the events, whatever the
 * chunking: an event may span chunks and a chunk may hold several events.
 *
 * <p>In <b>pass-through</b> mode (the client asked for {@code include_usage} itself, or no rewrite was
 * made) every chunk is forwarded as is, immediately; a streaming matcher finds the usage without
 * holding any bytes.
 *
 * <p>In <b>strip</b> mode (Sluice added {@code include_usage} on the client's behalf) complete events are
 * forwarded as soon as their terminating blank line is seen and only the trailing partial event is held.
 * The usage-only event ({@code "choices":[]} with a {@code usage} object) is dropped whole, terminator
 * included, and a {@code "usage":null} member that a server adds to the other chunks because of the
 * option is cut out with its comma, so the client receives the bytes it would have received had Sluice
 * not asked. Event boundaries follow the SSE rules: a blank line ended by LF, CR or CRLF.
 */
public final class SseUsageTap implements ResponseTap {

  private static final byte[] USAGE = key("usage");
  private static final byte[] CHOICES = key("choices");
  private static final byte[] PROMPT_TOKENS = key("prompt_tokens");
  private static final byte[] COMPLETION_TOKENS = key("completion_tokens");

  private final boolean strip;
  /** Pass-through mode: one pass for the prompt's key and, when asked, the generated tokens' key; else null. */
  private final UsageNumberScanner passThroughScanner;
  private final boolean countCompletion;

  // SSE line state, carried across chunks
  private int lineLength;
  private boolean afterCr;
  private boolean blankCr;

  // strip mode: the partial event carried to the next chunk, and the output being assembled
  private Buffer held;
  private int promptTokens = -1;
  private int completionTokens = -1;
  /** Where {@link #needsEdit} found the usage value of the event it last looked at. */
  private int usageAt;

  private SseUsageTap(boolean strip, boolean countCompletion) {
    this(strip, UsageNumberScanner.PROMPT_TOKENS, countCompletion ? UsageNumberScanner.COMPLETION_TOKENS : null);
  }

  private SseUsageTap(boolean strip, byte[] promptKey, byte[] completionKey) {
    this.strip = strip;
    this.countCompletion = !strip && completionKey != null;
    this.passThroughScanner = strip ? null
        : countCompletion ? new UsageNumberScanner(promptKey, completionKey) : new UsageNumberScanner(promptKey);
  }

  /** Sluice injected {@code include_usage}: remove what the option added. */
  public static SseUsageTap stripping() {
    return new SseUsageTap(true, true);
  }

  /** The client asked for usage (or nothing was injected): forward everything, read usage if present. */
  public static SseUsageTap passThrough() {
    return new SseUsageTap(false, false);
  }

  /** The same, also reading {@code usage.completion_tokens} when {@code countCompletion}. */
  public static SseUsageTap passThrough(boolean countCompletion) {
    return new SseUsageTap(false, countCompletion);
  }

  /**
   * Pass-through for another API's stream (Responses, Messages): reads {@code promptKey}, and {@code completionKey}
   * unless it is null.
   */
  static SseUsageTap passThrough(byte[] promptKey, byte[] completionKey) {
    return new SseUsageTap(false, promptKey, completionKey);
  }

  @Override
  public Buffer onChunk(Buffer chunk) {
    if (!strip) {
      passThroughScanner.feed(chunk, 0, chunk.length());
      return chunk;
    }
    Buffer work;
    int scanFrom;
    if (held == null || held.length() == 0) {
      work = chunk;
      scanFrom = 0;
    } else {
      scanFrom = held.length();
      work = held.appendBuffer(chunk);
    }
    Buffer out = null;
    int eventStart = 0;
    int forwardedTo = 0;
    int len = work.length();
    Bytes bytes = Bytes.of(work);
    for (int p = scanFrom; p < len; p++) {
      if (!blankCr) {
        // only CR and LF move the line state beyond a length: skip the bytes in between at once
        int q = bytes.lineBreak(p, len);
        if (q < 0) {
          q = len;
        }
        if (q > p) {
          lineLength += q - p;
          afterCr = false;
          p = q;
          if (p == len) {
            break;
          }
        }
      }
      int boundary = step(bytes.at(p), p);
      if (boundary >= 0) {
        if (needsEdit(bytes, eventStart, boundary)) {
          if (out == null) {
            out = Buffer.buffer(len);
          }
          out.appendBuffer(work, forwardedTo, eventStart - forwardedTo);
          appendEdited(out, work, bytes, eventStart, boundary);
          forwardedTo = boundary;
        }
        eventStart = boundary;
      }
    }
    Buffer forward;
    if (out == null) {
      forward = eventStart == 0 ? Buffer.buffer() : work.slice(0, eventStart);
    } else {
      out.appendBuffer(work, forwardedTo, eventStart - forwardedTo);
      forward = out;
    }
    held = eventStart < len ? work.getBuffer(eventStart, len) : null;
    return forward;
  }

  @Override
  public Buffer onEnd() {
    if (!strip) {
      passThroughScanner.end();
      return Buffer.buffer();
    }
    Buffer rest = held;
    held = null;
    blankCr = false;
    if (rest == null || rest.length() == 0) {
      return Buffer.buffer();
    }
    Bytes bytes = Bytes.of(rest);
    if (!needsEdit(bytes, 0, rest.length())) {
      return rest;
    }
    Buffer out = Buffer.buffer(rest.length());
    appendEdited(out, rest, bytes, 0, rest.length());
    return out;
  }

  @Override
  public int promptTokens() {
    return strip ? promptTokens : passThroughScanner.value();
  }

  @Override
  public int completionTokens() {
    if (strip) {
      return completionTokens;
    }
    return countCompletion ? passThroughScanner.value(1) : -1;
  }

  /**
   * Advances the SSE line state by one byte at {@code p}; returns the offset one past the end of an
   * event when this byte completes one (which may be {@code p} itself when a lone CR ended it), else -1.
   */
  private int step(byte b, int p) {
    int boundary = -1;
    if (blankCr) {
      blankCr = false;
      afterCr = false;
      if (b == '\n') {
        return p + 1;
      }
      boundary = p;
    }
    if (b == '\n') {
      if (afterCr) {
        afterCr = false;
        return boundary;
      }
      if (lineLength == 0) {
        return p + 1;
      }
      lineLength = 0;
    } else if (b == '\r') {
      afterCr = true;
      if (lineLength == 0) {
        blankCr = true;
      }
      lineLength = 0;
    } else {
      afterCr = false;
      lineLength++;
    }
    return boundary;
  }

  /**
   * Whether the event {@code [from, to)} must be dropped or edited; reads usage from it. The usage member
   * comes last in the chunk objects of vLLM and OpenAI, so it is looked for from the end of the event.
   */
  private boolean needsEdit(Bytes buf, int from, int to) {
    int usage = lastValueAfterKey(buf, from, to, USAGE);
    usageAt = usage;
    if (usage < 0) {
      return false;
    }
    byte v = buf.at(usage);
    if (v == '{') {
      int tokens = valueAfterKey(buf, usage, to, PROMPT_TOKENS);
      if (tokens >= 0) {
        promptTokens = parseInt(buf, tokens, to);
      }
      int completion = valueAfterKey(buf, usage, to, COMPLETION_TOKENS);
      if (completion >= 0) {
        completionTokens = parseInt(buf, completion, to);
      }
      int choices = valueAfterKey(buf, from, to, CHOICES);
      return choices >= 0 && isEmptyArray(buf, choices, to);
    }
    return v == 'n';
  }

  /**
   * Appends the event {@code [from, to)} minus what include_usage added: nothing if usage-only. Call right after
   * {@link #needsEdit} returned true for the same event.
   */
  private void appendEdited(Buffer out, Buffer src, Bytes buf, int from, int to) {
    int usage = usageAt;
    if (usage < 0 || buf.at(usage) == '{') {
      return; // the usage-only event: dropped whole
    }
    int keyStart = keyStart(buf, from, usage);
    int valueEnd = usage + 4; // null
    int cutFrom = keyStart;
    int cutTo = valueEnd;
    int before = skipSpaceBackward(buf, from, keyStart);
    if (before > from && buf.at(before - 1) == ',') {
      cutFrom = skipSpaceBackward(buf, from, before - 1);
    } else {
      int after = skipSpace(buf, valueEnd, to);
      if (after < to && buf.at(after) == ',') {
        cutTo = skipSpace(buf, after + 1, to);
      }
    }
    out.appendBuffer(src, from, cutFrom - from);
    out.appendBuffer(src, cutTo, to - cutTo);
  }

  /**
   * Offset of the first byte of the value of {@code key} (quoted) in {@code [from, to)}, or -1. A key starts with
   * its quote: the search goes from quote to quote, eight bytes a step.
   */
  private static int valueAfterKey(Bytes buf, int from, int to, byte[] key) {
    int last = to - key.length;
    for (int i = buf.indexOf((byte) '"', from, to); i >= 0 && i <= last; i = buf.indexOf((byte) '"', i + 1, to)) {
      int value = valueIfKeyAt(buf, i, to, key);
      if (value >= 0) {
        return value;
      }
    }
    return -1;
  }

  /** As {@link #valueAfterKey}, for the last occurrence of {@code key}: from quote to quote, back from the end. */
  private static int lastValueAfterKey(Bytes buf, int from, int to, byte[] key) {
    int last = to - key.length;
    if (last < from) {
      return -1;
    }
    for (int i = buf.lastIndexOf((byte) '"', from, last + 1); i >= 0; i = buf.lastIndexOf((byte) '"', from, i)) {
      int value = valueIfKeyAt(buf, i, to, key);
      if (value >= 0) {
        return value;
      }
    }
    return -1;
  }

  /** When {@code key} and a colon start at {@code i}, the offset of the value after them; else -1. */
  private static int valueIfKeyAt(Bytes buf, int i, int to, byte[] key) {
    for (int k = 0; k < key.length; k++) {
      if (buf.at(i + k) != key[k]) {
        return -1;
      }
    }
    int p = skipSpace(buf, i + key.length, to);
    if (p < to && buf.at(p) == ':') {
      p = skipSpace(buf, p + 1, to);
      if (p < to) {
        return p;
      }
    }
    return -1;
  }

  /** Offset of the opening quote of the key whose value starts at {@code value}. */
  private static int keyStart(Bytes buf, int from, int value) {
    int p = value - 1;
    while (p > from && buf.at(p) != ':') {
      p--;
    }
    p = skipSpaceBackward(buf, from, p) - 1; // closing quote of the key
    p--;
    while (p > from && buf.at(p) != '"') {
      p--;
    }
    return p;
  }

  private static boolean isEmptyArray(Bytes buf, int p, int to) {
    if (buf.at(p) != '[') {
      return false;
    }
    int q = skipSpace(buf, p + 1, to);
    return q < to && buf.at(q) == ']';
  }

  private static int parseInt(Bytes buf, int p, int to) {
    long v = 0;
    int i = p;
    while (i < to && buf.at(i) >= '0' && buf.at(i) <= '9') {
      v = Math.min(v * 10 + (buf.at(i) - '0'), Integer.MAX_VALUE);
      i++;
    }
    return i == p ? -1 : (int) v;
  }

  private static int skipSpace(Bytes buf, int p, int to) {
    while (p < to && UsageNumberScanner.isSpace(buf.at(p))) {
      p++;
    }
    return p;
  }

  /** Offset just after the last non-space byte before {@code p}. */
  private static int skipSpaceBackward(Bytes buf, int from, int p) {
    while (p > from && UsageNumberScanner.isSpace(buf.at(p - 1))) {
      p--;
    }
    return p;
  }

  private static byte[] key(String name) {
    return ('"' + name + '"').getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
