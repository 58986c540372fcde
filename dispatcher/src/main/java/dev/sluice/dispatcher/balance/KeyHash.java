package dev.sluice.dispatcher.balance;

/**
 * The 64-bit hash of an affinity key's text. It must be the same on every node, so that a conversation maps to
 * the same endpoint whichever node takes its next turn: FNV-1a over the UTF-16 chars, then splitmix64's
 * finalizer so that every input bit moves about half the output bits. Incremental ({@link #START},
 * {@link #step}, {@link #finish}), so the body scanner hashes text as it streams by without building a String.
 */
public final class KeyHash {

  /** The state before the first char. */
  public static final long START = 0xCBF29CE484222325L;
  private static final long PRIME = 0x100000001B3L;

  private KeyHash() {
  }

  /** The state after one more char. */
  public static long step(long state, char c) {
    return (state ^ c) * PRIME;
  }

  /** The hash of what was stepped through; never {@link AffinityKey#NONE}. */
  public static long finish(long state) {
    long h = mix(state);
    return h == AffinityKey.NONE ? 1 : h;
  }

  /** The hash of a whole text. */
  public static long of(CharSequence text) {
    long state = START;
    for (int i = 0, n = text.length(); i < n; i++) {
      state = step(state, text.charAt(i));
    }
    return finish(state);
  }

  /** The hash of a run of chars, the same as {@link #of(CharSequence)} of the same text. */
  public static long of(char[] chars, int offset, int length) {
    long state = START;
    for (int i = offset, end = offset + length; i < end; i++) {
      state = step(state, chars[i]);
    }
    return finish(state);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
