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
    // each ASCII run that fits the limit goes in whole, a word a step; any other char alone
    int end = off + len;
    int i = off;
    while (i < end && !done) {
      long room = limit - bytes;
      int most = room >= end - i ? end : i + (int) room;
      int run = i;
      while (run < most && buf[run] < 0x80) {
        run++;
      }
      if (run > i) {
        words.add(buf, i, run - i);
        bytes += run - i;
        done = bytes == limit;
        i = run;
      } else {
        take(buf[i++]);
      }
    }
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
