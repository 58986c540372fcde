package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import java.io.Writer;

/**
 * The {@link KeyHash} of text handed over as UTF-16 char runs out of Jackson's buffer ({@code getText(Writer)}),
 * so no String is built: for a key-like field whole, or for the prompt only up to its first {@code limit} UTF-8
 * bytes (or until {@link #stop()}), carried on from one prompt string to the next. A char that would cross the
 * limit ends the text there.
 */
final class TextHash extends Writer {

  private final long limit;
  private final KeyHash.Words words = new KeyHash.Words();
  private long bytes;
  private boolean done;

  /** @param limit UTF-8 bytes taken at most; {@code Long.MAX_VALUE} for all */
  TextHash(long limit) {
    this.limit = limit;
    reset();
  }

  /** Starts over, for the next value of a field. */
  void reset() {
    words.reset();
    bytes = 0;
    done = limit <= 0;
  }

  /** Takes no more text. */
  void stop() {
    done = true;
  }

  /** Whether more text would be ignored. */
  boolean full() {
    return done;
  }

  /** The hash of the text taken, {@link AffinityKey#NONE} when none was. */
  long hash() {
    return words.length() > 0 ? words.hash() : AffinityKey.NONE;
  }

  @Override
  public void write(char[] buf, int off, int len) {
    // Runs that surely fit what is left of the limit (no char counts more than 4 bytes) go in whole: their bytes
    // summed without a branch, their chars hashed a word at a time. Only the last few chars before the limit are
    // taken one by one, each checked against it.
    int end = off + len;
    int i = off;
    while (i < end && !done) {
      int sure = (int) Math.min(end - i, (limit - bytes) / 4);
      if (sure >= 8) {
        bytes += utf8Bytes(buf, i, sure);
        words.add(buf, i, sure);
        i += sure;
        done = bytes == limit && !Character.isHighSurrogate(buf[i - 1]);
      } else {
        take(buf[i++]);
      }
    }
  }

  /** UTF-8 bytes of the chars, as {@link #take} counts them: a pair's 4 at its high half, 0 at its low. */
  private static long utf8Bytes(char[] buf, int from, int count) {
    long sum = 0;
    for (int i = from, end = from + count; i < end; i++) {
      char c = buf[i];
      // runs of one kind (ASCII prose, CJK) keep these branches predicted
      sum += c < 0x80 ? 1 : c < 0x800 ? 2 : (c & 0xF800) != 0xD800 ? 3 : c < 0xDC00 ? 4 : 0;
    }
    return sum;
  }

  @Override
  public void write(int c) {
    if (!done) {
      take((char) c);
    }
  }

  @Override
  public void write(String str, int off, int len) {
    for (int i = off, end = off + len; i < end && !done; i++) {
      take(str.charAt(i));
    }
  }

  private void take(char c) {
    // a surrogate pair is 4 bytes, counted at its high half
    int size = c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isHighSurrogate(c) ? 4 : Character.isLowSurrogate(c) ? 0 : 3;
    if (bytes + size > limit) {
      done = true;
      return;
    }
    words.add(c);
    bytes += size;
    done = bytes == limit && !Character.isHighSurrogate(c);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }
}
