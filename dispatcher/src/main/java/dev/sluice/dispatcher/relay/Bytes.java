package dev.sluice.dispatcher.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Read-only byte access to a buffer for the per-byte scanners of the relay. {@link Buffer#getByte} checks
 * bounds and the reference count on every call, which dominated the cost of scanning each response; the
 * buffers the relay sees are heap buffers, so their backing array is read directly.
 */
final class Bytes {
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
}
