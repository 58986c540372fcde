package dev.sluice.dispatcher.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Notes whether an event stream that is already reaching the client carries an error event
 * ({@code data: {"error": ...}}, as vLLM sends when a chat request fails mid-generation, or
 * {@code data: {"type":"error", ...}} on the Responses and Messages APIs): pure, no socket, fed
 * the response's chunks in order after the commit point, whatever their boundaries. Inside a line it looks
 * only for the next line break, eight bytes a step; it reads the start of each line, and copies nothing until
 * an error line starts; that line alone (up to {@code maxBytes}) is kept to classify the error.
 */
public final class SseErrorWatch {
  private static final byte[] DATA_FIELD = "data:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] ERROR_KEY = "\"error\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] TYPE_ERROR = "\"type\":\"error\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Inside a line that cannot start an error event: wait for the line break. */
  private static final int MID_LINE = 0;
  /** At a line start, matching {@code data:}. */
  private static final int FIELD = 1;
  /** After {@code data:}, before the brace. */
  private static final int BEFORE_BRACE = 2;
  /** After the brace, matching {@code "error"} or {@code "type":"error"}. */
  private static final int KEY = 3;
  /** In an error line: kept until its end. */
  private static final int CAPTURE = 4;
  /** The error was found and read: nothing more to do. */
  private static final int DONE = 5;

  private final int maxBytes;
  private int state = FIELD;
  private int matched;
  /** The first key being matched: {@code "error"} until its second byte says {@code "type"}. */
  private byte[] key = ERROR_KEY;
  private Buffer line;
  private boolean sawError;
  private StreamError error;

  /** @param maxBytes bytes of the error line kept for {@link #error()} at most */
  public SseErrorWatch(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Feeds the next chunk of the stream. */
  public void feed(Buffer chunk) {
    if (state == DONE) {
      return;
    }
    int len = chunk.length();
    byte[] a;
    int base;
    if (chunk instanceof BufferInternal internal && internal.unwrap().hasArray()) {
      ByteBuf buf = internal.unwrap();
      a = buf.array();
      base = buf.arrayOffset(); // Buffer indices are the ByteBuf's absolute ones, as in Bytes
    } else {
      a = chunk.getBytes();
      base = 0;
    }
    int end = base + len;
    for (int i = base; i < end; i++) {
      if (state == MID_LINE) {
        // the bulk of the stream: inside lines, eight bytes at a time
        i = Bytes.lineBreak(a, i, end);
        if (i < 0) {
          return;
        }
        state = FIELD;
        matched = 0;
        continue;
      }
      byte c = a[i];
      boolean lineBreak = c == '\n' || c == '\r';
      switch (state) {
        case FIELD -> {
          if (lineBreak) {
            matched = 0;
          } else if (c == DATA_FIELD[matched]) {
            if (++matched == DATA_FIELD.length) {
              state = BEFORE_BRACE;
            }
          } else {
            state = MID_LINE;
          }
        }
        case BEFORE_BRACE -> {
          if (c == '{') {
            state = KEY;
            matched = 0;
            key = ERROR_KEY;
          } else if (c != ' ' && c != '\t') {
            state = lineBreak ? FIELD : MID_LINE;
            matched = 0;
          }
        }
        case KEY -> {
          if (matched == 0 && (c == ' ' || c == '\t')) {
            break;
          }
          if (matched == 1 && c == 't') {
            key = TYPE_ERROR;
          }
          if (c == key[matched]) {
            if (++matched == key.length) {
              sawError = true;
              state = CAPTURE;
              line = Buffer.buffer(256).appendByte((byte) '{').appendBytes(key);
            }
          } else {
            state = lineBreak ? FIELD : MID_LINE;
            matched = 0;
          }
        }
        case CAPTURE -> {
          int stop = Bytes.lineBreak(a, i, end);
          int to = stop < 0 ? end : stop;
          int keep = Math.min(to - i, Math.max(0, maxBytes - line.length()));
          line.appendBytes(a, i, keep);
          if (stop < 0) {
            return;
          }
          finish();
          return;
        }
        default -> {
          return;
        }
      }
    }
  }

  /** The stream ended: an error line cut short of its line break is read as it is. */
  public void end() {
    if (state == CAPTURE) {
      finish();
    }
  }

  /** Whether an error event went by. */
  public boolean sawError() {
    return sawError;
  }

  /** The first error event, classified; null when none went by or its line could not be read. */
  public StreamError error() {
    return error;
  }

  private void finish() {
    error = StreamError.parse(line).orElse(null);
    line = null;
    state = DONE;
  }
}
