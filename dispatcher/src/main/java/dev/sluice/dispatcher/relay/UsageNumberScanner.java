package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds {@code "key": <integer>} for one or a few keys in JSON bytes that arrive in pieces, in one pass, keeping a
 * few ints of state between pieces and copying nothing.
 *
 * <p>Matching a key with both quotes is exact: inside a JSON string a quote is escaped, so the raw bytes
 * {@code "prompt_tokens"} followed by a colon can only be an object key, never text the model wrote. No key is
 * a prefix of another (each ends with its quote), so at most one matches at a place.
 * Also reads the {@code count} of a tokenizer's answer ({@code exact.TokenizeClient}), and the usage the load
 * generator reads from each answer.
 */
public final class UsageNumberScanner {
  private static final int MATCHING = 0;
  private static final int AFTER_KEY = 1;
  private static final int AFTER_COLON = 2;
  private static final int IN_NUMBER = 3;
  /** What {@link #keyAt} finds besides a key's index: no key, or a key that may run on into the next piece. */
  private static final int NONE = -1;
  private static final int CUT = -2;

  private final byte[][] keys;
  /** The only key when there is one: the quote-to-quote scan then tries it with no loop. */
  private final byte[] only;
  /** Per key, how many of its bytes the byte-by-byte walk has matched so far. */
  private final int[] matched;
  private final int[] values;
  /** Keys with a partial match: while any, bytes go one by one. */
  private int partial;
  private int state = MATCHING;
  /** The key whose number is being read. */
  private int current;
  private long number;

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

  /**
   * @param quotedKeys the keys with their quotes, as {@link #quoted} makes them, in the order {@link #value(int)}
   *                   numbers them; shared, never written
   */
  UsageNumberScanner(byte[]... quotedKeys) {
    this.keys = quotedKeys;
    this.only = quotedKeys.length == 1 ? quotedKeys[0] : null;
    this.matched = new int[quotedKeys.length];
    this.values = new int[quotedKeys.length];
    Arrays.fill(values, -1);
  }

  /** @param name the key without quotes */
  public UsageNumberScanner(String name) {
    this(key(name));
  }

  /** A key's bytes with its two quotes. */
  static byte[] quoted(String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    byte[] q = new byte[n.length + 2];
    q[0] = '"';
    System.arraycopy(n, 0, q, 1, n.length);
    q[q.length - 1] = '"';
    return q;
  }

  /**
   * Feeds bytes {@code [from, to)} of {@code buf}. Between keys only a quote can start one (a key's only other
   * quote is its last byte), so the scan goes from quote to quote, eight bytes a step, and tries the keys at each
   * in place; bytes go one by one through {@link #feed(byte)} only after a key (its colon and number), or from a
   * quote where the chunk ends before a whole key would. An answer's text costs a word read per eight bytes,
   * however many keys are read.
   */
  public void feed(Buffer buf, int from, int to) {
    Bytes bytes = Bytes.of(buf);
    int i = from;
    while (i < to) {
      if (state == MATCHING && partial == 0) {
        i = bytes.indexOf((byte) '"', i, to);
        if (i < 0) {
          return;
        }
        int k = keyAt(bytes, i, to);
        if (k >= 0) {
          state = AFTER_KEY;
          current = k;
          i += keys[k].length;
          continue;
        }
        if (k == NONE) {
          i++;
          continue;
        }
      }
      feed(bytes.at(i++));
    }
  }

  /** The key at the quote at {@code i}; {@link #NONE}; or {@link #CUT} when one might run past {@code to}. */
  private int keyAt(Bytes bytes, int i, int to) {
    byte[] key1 = only;
    if (key1 != null) {
      // the common case (a stream's prompt tokens, a tokenizer's count): no loop
      return i + key1.length > to ? CUT : bytes.matches(key1, i) ? 0 : NONE;
    }
    int found = NONE;
    for (int k = 0; k < keys.length; k++) {
      byte[] key = keys[k];
      if (i + key.length > to) {
        found = CUT;
      } else if (bytes.matches(key, i)) {
        return k;
      }
    }
    return found;
  }

  /** The end of the input: a number running to the very end is complete. */
  public void end() {
    if (state == IN_NUMBER) {
      values[current] = (int) Math.min(Integer.MAX_VALUE, number);
      state = MATCHING;
    }
  }

  /** The last value found of the (first) key, or -1. */
  public int value() {
    return values[0];
  }

  /** The last value found of key {@code k} (in the constructor's order), or -1. */
  int value(int k) {
    return values[k];
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
      }
      case IN_NUMBER -> {
        if (b >= '0' && b <= '9') {
          number = Math.min(number * 10 + (b - '0'), Integer.MAX_VALUE);
          return;
        }
        values[current] = (int) number;
        state = MATCHING;
      }
      default -> {
      }
    }
    // matching (again, for a byte that ended a key's number or broke its colon): every key's next byte
    partial = 0;
    for (int k = 0; k < keys.length; k++) {
      byte[] key = keys[k];
      int m = b == key[matched[k]] ? matched[k] + 1 : b == '"' ? 1 : 0;
      if (m == key.length) {
        state = AFTER_KEY;
        current = k;
        Arrays.fill(matched, 0);
        partial = 0;
        return;
      }
      matched[k] = m;
      if (m > 0) {
        partial++;
      }
    }
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
