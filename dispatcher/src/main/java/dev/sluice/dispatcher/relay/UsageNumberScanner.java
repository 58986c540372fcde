package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Finds {@code "key": <integer>} in JSON bytes that arrive in pieces, keeping a few ints of state
 * between pieces and copying nothing.
 *
 * <p>Matching the key with both quotes is exact: inside a JSON string a quote is escaped, so the raw
 * bytes {@code "prompt_tokens"} followed by a colon can only be an object key, never text the model wrote.
 * Also reads the {@code count} of a tokenizer's answer ({@code exact.TokenizeClient}), and the usage the load
 * generator reads from each answer.
 */
public final class UsageNumberScanner {
  private static final int MATCHING = 0;
  private static final int AFTER_KEY = 1;
  private static final int AFTER_COLON = 2;
  private static final int IN_NUMBER = 3;

  private final byte[] key;
  private int state = MATCHING;
  private int matched;
  private long number;
  private int value = -1;

  /** The keys the taps look for, each made once: a tap is made per response. */
  static final byte[] PROMPT_TOKENS = quoted("prompt_tokens");
  static final byte[] INPUT_TOKENS = quoted("input_tokens");
  static final byte[] COMPLETION_TOKENS = quoted("completion_tokens");
  static final byte[] OUTPUT_TOKENS = quoted("output_tokens");

  /** The shared quoted bytes of one of the usage keys above (made anew for any other name). */
  static byte[] key(String name) {
    return switch (name) {
      case "prompt_tokens" -> PROMPT_TOKENS;
      case "input_tokens" -> INPUT_TOKENS;
      case "completion_tokens" -> COMPLETION_TOKENS;
      case "output_tokens" -> OUTPUT_TOKENS;
      default -> quoted(name);
    };
  }

  /** @param quotedKey the key with its quotes, as {@link #quoted} makes it; shared, never written */
  UsageNumberScanner(byte[] quotedKey) {
    this.key = quotedKey;
  }

  /** @param name the key without quotes */
  public UsageNumberScanner(String name) {
    this(key(name));
  }

  /** A key's bytes with its two quotes. */
  static byte[] quoted(String name) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] q = new byte[n.length + 2];
    q[0] = '"';
    System.arraycopy(n, 0, q, 1, n.length);
    q[q.length - 1] = '"';
    return q;
  }

  /**
   * Feeds bytes {@code [from, to)} of {@code buf}. Between keys only a quote can start one (the key's only other
   * quote is its last byte), so the scan goes from quote to quote, eight bytes a step, and tries the key at each
   * in place; bytes go one by one through {@link #feed(byte)} only after a key (its colon and number), or from a
   * quote where the chunk ends before a whole key would. An answer's text costs a word read per eight bytes.
   */
  public void feed(Buffer buf, int from, int to) {
    Bytes bytes = Bytes.of(buf);
    int i = from;
    while (i < to) {
      if (state == MATCHING && matched == 0) {
        i = bytes.indexOf((byte) '"', i, to);
        if (i < 0) {
          return;
        }
        if (i + key.length <= to) {
          if (bytes.matches(key, i)) {
            state = AFTER_KEY;
            i += key.length;
          } else {
            i++;
          }
          continue;
        }
      }
      feed(bytes.at(i++));
    }
  }

  /** The end of the input: a number running to the very end is complete. */
  public void end() {
    if (state == IN_NUMBER) {
      value = (int) Math.min(Integer.MAX_VALUE, number);
      state = MATCHING;
    }
  }

  /** The last value found, or -1. */
  public int value() {
    return value;
  }

  /** Feeds one byte, for a reader that walks the bytes itself (the load generator's response scan). */
  public void feed(byte b) {
    switch (state) {
      case AFTER_KEY -> {
        if (isSpace(b)) {
          return;
        }
        if (b == ':') {
          state = AFTER_COLON;
          return;
        }
        state = MATCHING;
        matched = 0;
      }
      case AFTER_COLON -> {
        if (isSpace(b)) {
          return;
        }
        if (b >= '0' && b <= '9') {
          number = b - '0';
          state = IN_NUMBER;
          return;
        }
        state = MATCHING;
        matched = 0;
      }
      case IN_NUMBER -> {
        if (b >= '0' && b <= '9') {
          number = Math.min(number * 10 + (b - '0'), Integer.MAX_VALUE);
          return;
        }
        value = (int) number;
        state = MATCHING;
        matched = 0;
      }
      default -> {
      }
    }
    if (b == key[matched]) {
      matched++;
      if (matched == key.length) {
        state = AFTER_KEY;
        matched = 0;
      }
    } else {
      matched = b == '"' ? 1 : 0;
    }
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
