package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.Arrays;

/**
 * Where a conversation's opening lies in the body as the client sent it: the raw bytes between the quotes of the
 * counted strings (escapes as written), in order, up to the end of the first user message and at most a given
 * number of bytes. Every turn of a conversation repeats its opening byte for byte, so its hash keys the
 * conversation of a request that names none.
 *
 * <p>The scanner only notes the ranges; the hash is taken by whoever needs it, on the body as received, and only
 * when the request has no other affinity key. Raw bytes go eight to a step, where the decoded text went a char at a
 * time: a 1 KiB opening costs 128 multiplications, two at a time, not a thousand char reads. The ranges follow
 * each other in the body, as the strings do.
 */
public final class Opening {

  /** No opening: no prompt text, or {@code routing.affinity_prefix_bytes: 0}. */
  public static final Opening NONE = new Opening(new int[0]);

  /** Ranges of a few text parts at most: an opening of more is cut after them, the same way every turn. */
  static final int MAX_RANGES = 16;

  /** Start and end offset of each range, in the body. */
  private final int[] bounds;

  private Opening(int[] bounds) {
    this.bounds = bounds;
  }

  /** Raw bytes the opening covers. */
  public int bytes() {
    int sum = 0;
    for (int i = 0; i < bounds.length; i += 2) {
      sum += bounds[i + 1] - bounds[i];
    }
    return sum;
  }

  /**
   * The opening's {@link KeyHash#ofRanges} in {@code body}, the body the scanner read as it was received;
   * {@link AffinityKey#NONE} when there is none.
   */
  public long hash(Buffer body) {
    if (bounds.length == 0) {
      return AffinityKey.NONE;
    }
    if (body instanceof BufferInternal internal) {
      ByteBuf buf = internal.unwrap();
      if (buf.hasArray()) {
        return KeyHash.ofRanges(buf.array(), buf.arrayOffset() + buf.readerIndex(), bounds);
      }
    }
    // an off-heap body: only the opening's bytes are copied out
    int from = bounds[0];
    int to = bounds[bounds.length - 1];
    return KeyHash.ofRanges(body.getBytes(from, to), -from, bounds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Opening other && Arrays.equals(bounds, other.bounds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bounds);
  }

  @Override
  public String toString() {
    return "Opening" + Arrays.toString(bounds);
  }

  /** The scanner's side: ranges noted as the counted strings go by. Not thread-safe. */
  static final class Builder {
    /** Most openings are two strings, a system prompt and a question: room for them, more on demand. */
    private int[] bounds = new int[4];
    private int count;
    private long left;
    private boolean closed;

    /** @param limit raw bytes taken at most; 0 for none */
    Builder(long limit) {
      this.left = limit;
      this.closed = limit <= 0;
    }

    /** Whether more text would be ignored. */
    boolean closed() {
      return closed;
    }

    /** Takes the body bytes {@code [from, to)}, a counted string's, as far as the limit allows. */
    void add(int from, int to) {
      if (closed) {
        return;
      }
      int take = (int) Math.min(to - from, left);
      if (take > 0) {
        if (count == bounds.length) {
          bounds = Arrays.copyOf(bounds, 2 * count);
        }
        bounds[count++] = from;
        bounds[count++] = from + take;
        left -= take;
      }
      closed = left == 0 || count == 2 * MAX_RANGES;
    }

    /** Takes no more: the opening ended. */
    void close() {
      closed = true;
    }

    Opening build() {
      return count == 0 ? NONE : new Opening(Arrays.copyOf(bounds, count));
    }
  }
}
