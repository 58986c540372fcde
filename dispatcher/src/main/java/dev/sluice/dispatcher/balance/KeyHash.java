package dev.sluice.dispatcher.balance;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The 64-bit hash of an affinity key's text. It must be the same on every node, so that a conversation maps to
 * the same endpoint whichever node takes its next turn. The UTF-16 chars are taken four at a time as one 64-bit
 * word (the first char lowest; the last word filled with zero chars), each word xored into the state and the state
 * multiplied by an odd constant; the length is added at the end and splitmix64's finalizer makes every input bit
 * move about half the output bits. A word a step, not a char: the body scanner hashes {@code prompt_cache_key} and
 * {@code user} as they stream by, and one multiply per four chars keeps that off the per-char cost.
 *
 * <p>{@link Words} takes text in pieces (the scanner's runs of chars) and gives the same hash as {@link #of} of
 * the whole text. {@link #ofRanges} hashes raw bytes the same way, eight to a word.
 */
public final class KeyHash {

  private static final long START = 0xCBF29CE484222325L;
  /** Odd, with its bits spread (2^64 over the golden ratio): each step is a bijection of the state. */
  private static final long K = 0x9E3779B97F4A7C15L;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private KeyHash() {
  }

  /** The state after one more word. */
  static long step(long state, long word) {
    return (state ^ word) * K;
  }

  /** Four chars as one word, the first lowest. */
  static long word(char a, char b, char c, char d) {
    return a | (long) b << 16 | (long) c << 32 | (long) d << 48;
  }

  /** The hash of a whole text. */
  public static long of(CharSequence text) {
    Words w = new Words();
    for (int i = 0, n = text.length(); i < n; i++) {
      w.add(text.charAt(i));
    }
    return w.hash();
  }

  /** The hash of a run of chars, the same as {@link #of(CharSequence)} of the same text. */
  public static long of(char[] chars, int offset, int length) {
    Words w = new Words();
    w.add(chars, offset, length);
    return w.hash();
  }

  /**
   * The hash of byte ranges of an array, taken in order as one key: each range's whole 8-byte words (little-endian),
   * odd and even words into two states (two multiplications in flight instead of one after another), then its last
   * bytes as one word, zero-filled; the two states and the total length mixed at the end.
   *
   * @param base   where offset 0 of the bounds lies in {@code bytes}
   * @param bounds start and end offset of each range
   * @return never {@link AffinityKey#NONE}
   */
  public static long ofRanges(byte[] bytes, int base, int[] bounds) {
    long s = START;
    long t = K;
    long length = 0;
    for (int r = 0; r < bounds.length; r += 2) {
      int i = base + bounds[r];
      int end = base + bounds[r + 1];
      for (; i + 2 * Long.BYTES <= end; i += 2 * Long.BYTES) {
        s = step(s, (long) LONGS.get(bytes, i));
        t = step(t, (long) LONGS.get(bytes, i + Long.BYTES));
      }
      if (i + Long.BYTES <= end) {
        s = step(s, (long) LONGS.get(bytes, i));
        i += Long.BYTES;
      }
      if (i < end) {
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
          tail |= (bytes[i] & 0xFFL) << shift;
        }
        s = step(s, tail);
      }
      length += bounds[r + 1] - bounds[r];
    }
    long h = mix(step(s, t) + length * K);
    return h == AffinityKey.NONE ? 1 : h;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A hash taken in pieces: chars one by one or in runs, in any split; not thread-safe. */
  public static final class Words {
    private long state = START;
    /** Chars of the word being filled, the first lowest, and how many it has (0 to 3). */
    private long partial;
    private int filled;
    private long length;

    /** Adds one char. */
    public void add(char c) {
      partial |= (long) c << (filled << 4);
      length++;
      if (++filled == 4) {
        state = step(state, partial);
        partial = 0;
        filled = 0;
      }
    }

    /** Adds a run of chars: whole words straight from the array once the word being filled is complete. */
    public void add(char[] chars, int offset, int count) {
      int i = offset;
      int end = offset + count;
      while (filled != 0 && i < end) {
        add(chars[i++]);
      }
      long s = state;
      int words = (end - i) >>> 2;
      for (int k = 0; k < words; k++, i += 4) {
        s = step(s, word(chars[i], chars[i + 1], chars[i + 2], chars[i + 3]));
      }
      state = s;
      length += (long) words << 2;
      while (i < end) {
        add(chars[i++]);
      }
    }

    /** Chars added so far. */
    public long length() {
      return length;
    }

    /** The hash of the chars added; never {@link AffinityKey#NONE}. Adds nothing: more may follow. */
    public long hash() {
      long s = filled == 0 ? state : step(state, partial);
      long h = mix(s + length * K);
      return h == AffinityKey.NONE ? 1 : h;
    }

    /** Starts over, empty. */
    public void reset() {
      state = START;
      partial = 0;
      filled = 0;
      length = 0;
    }
  }
}
