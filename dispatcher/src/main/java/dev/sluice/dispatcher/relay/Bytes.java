package dev.sluice.dispatcher.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Read-only byte access to a buffer for the per-byte scanners of the relay. {@link Buffer#getByte} checks
 * bounds and the reference count on every call, which dominated the cost of scanning each response; the
 * buffers the relay sees are heap buffers, so their backing array is read directly.
 */
final class Bytes {
  /** Eight bytes of an array as one long, lowest address lowest: the relay's searches go a word at a time. */
  static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final long ONES = 0x0101010101010101L;
  static final long HIGHS = 0x8080808080808080L;

  private final byte[] array;
  private final int base;

  private Bytes(byte[] array, int base) {
    this.array = array;
    this.base = base;
  }

  /** A view of {@code buffer}: index {@code i} here is {@code buffer.getByte(i)}. */
  static Bytes of(Buffer buffer) {
    if (buffer instanceof BufferInternal internal) {
      ByteBuf buf = internal.unwrap();
      if (buf.hasArray()) {
        return new Bytes(buf.array(), buf.arrayOffset());
      }
    }
    return new Bytes(buffer.getBytes(), 0);
  }

  byte at(int index) {
    return array[base + index];
  }

  /** Whether {@code pattern} is at {@code at}; the caller makes sure it would fit. */
  boolean matches(byte[] pattern, int at) {
    int p = base + at;
    for (int k = 0; k < pattern.length; k++) {
      if (array[p + k] != pattern[k]) {
        return false;
      }
    }
    return true;
  }

  /** Index of the first {@code target} in {@code [from, to)}, or -1. */
  int indexOf(byte target, int from, int to) {
    return local(indexOf(array, base + from, base + to, target));
  }

  /** Index of the first {@code target} in {@code a[from, to)}, or -1: eight bytes a step, then one at a time. */
  static int indexOf(byte[] a, int from, int to, byte target) {
    long pattern = ONES * (target & 0xFF);
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long hit = zeroBytes((long) LONGS.get(a, i) ^ pattern);
      if (hit != 0) {
        return i + (Long.numberOfTrailingZeros(hit) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (a[i] == target) {
        return i;
      }
    }
    return -1;
  }

  /** Index of the last {@code target} in {@code [from, to)}, or -1. */
  int lastIndexOf(byte target, int from, int to) {
    return local(lastIndexOf(array, base + from, base + to, target));
  }

  /** Index of the last {@code target} in {@code a[from, to)}, or -1: eight bytes a step from the end. */
  static int lastIndexOf(byte[] a, int from, int to, byte target) {
    long pattern = ONES * (target & 0xFF);
    int i = to;
    for (; i - Long.BYTES >= from; i -= Long.BYTES) {
      // a hit means at least one true match in the word, perhaps more: find the last byte by byte
      if (zeroBytes((long) LONGS.get(a, i - Long.BYTES) ^ pattern) != 0) {
        for (int j = i - 1; ; j--) {
          if (a[j] == target) {
            return j;
          }
        }
      }
    }
    for (int j = i - 1; j >= from; j--) {
      if (a[j] == target) {
        return j;
      }
    }
    return -1;
  }

  /** Index of the first LF or CR in {@code [from, to)}, or -1. */
  int lineBreak(int from, int to) {
    return local(lineBreak(array, base + from, base + to));
  }

  /** Index of the first LF or CR in {@code a[from, to)}, or -1: eight bytes a step, then one at a time. */
  static int lineBreak(byte[] a, int from, int to) {
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long w = (long) LONGS.get(a, i);
      long hit = zeroBytes(w ^ 0x0A0A0A0A0A0A0A0AL) | zeroBytes(w ^ 0x0D0D0D0D0D0D0D0DL);
      if (hit != 0) {
        return i + (Long.numberOfTrailingZeros(hit) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (a[i] == '\n' || a[i] == '\r') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The high bit of every zero byte of {@code x}: the lowest set bit always marks a true zero byte; above it, a
   * borrow can set the bit of a byte that is 0x01.
   */
  static long zeroBytes(long x) {
    return (x - ONES) & ~x & HIGHS;
  }

  /** An index into the array as this view's, or -1 for none. */
  private int local(int absolute) {
    return absolute < 0 ? -1 : absolute - base;
  }
}
