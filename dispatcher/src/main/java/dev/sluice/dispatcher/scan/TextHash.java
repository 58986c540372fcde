package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import java.io.Writer;

/**
 * The {@link KeyHash} of a key-like field's decoded text ({@code prompt_cache_key}, {@code user}), handed over as
 * UTF-16 char runs out of Jackson's buffer ({@code getText(Writer)}), so no String is built.
 */
final class TextHash extends Writer {

  private final KeyHash.Words words = new KeyHash.Words();

  /** Starts over, for the next value of a field. */
  void reset() {
    words.reset();
  }

  /** The hash of the text taken, {@link AffinityKey#NONE} when none was. */
  long hash() {
    return words.length() > 0 ? words.hash() : AffinityKey.NONE;
  }

  @Override
  public void write(char[] buf, int off, int len) {
    words.add(buf, off, len);
  }

  @Override
  public void write(int c) {
    words.add((char) c);
  }

  @Override
  public void write(String str, int off, int len) {
    for (int i = off, end = off + len; i < end; i++) {
      words.add(str.charAt(i));
    }
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }
}
