package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Notes whether an event stream that is already reaching the client carries an error event
 * ({@code data: {"error": ...}}, as vLLM sends when a request fails mid-generation): pure, no socket, fed
 * the response's chunks in order after the commit point, whatever their boundaries. It reads each byte
 * once, skips to the next line break inside a line, and copies nothing until an error line starts; that
 * line alone (up to {@code maxBytes}) is kept to classify the error.
 */
public final class SseErrorWatch {
  private static final byte[] DATA_FIELD = "data:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] ERROR_KEY = "\"error\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Inside a line that cannot start an error event: wait for the line break. */
  private static final int MID_LINE = 0;
  /** At a line start, matching {@code data:}. */
  private static final int FIELD = 1;
  /** After {@code data:}, before the brace. */
  private static final int BEFORE_BRACE = 2;
  /** After the brace, matching {@code "error"}. */
  private static final int KEY = 3;
  /** In an error line: kept until its end. */
  private static final int CAPTURE = 4;
  /** The error was found and read: nothing more to do. */
  private static final int DONE = 5;

  private final int maxBytes;
  private int state = FIELD;
  private int matched;
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
    Bytes b = Bytes.of(chunk);
    int len = chunk.length();
    for (int i = 0; i < len; i++) {
      byte c = b.at(i);
      boolean lineBreak = c == '\n' || c == '\r';
      switch (state) {
        case MID_LINE -> {
          while (i + 1 < len && !lineBreak) {
            c = b.at(++i);
            lineBreak = c == '\n' || c == '\r';
          }
          if (lineBreak) {
            state = FIELD;
            matched = 0;
          }
        }
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
          } else if (c != ' ' && c != '\t') {
            state = lineBreak ? FIELD : MID_LINE;
            matched = 0;
          }
        }
        case KEY -> {
          if (matched == 0 && (c == ' ' || c == '\t')) {
            break;
          }
          if (c == ERROR_KEY[matched]) {
            if (++matched == ERROR_KEY.length) {
              sawError = true;
              state = CAPTURE;
              line = Buffer.buffer(256).appendByte((byte) '{').appendBytes(ERROR_KEY);
            }
          } else {
            state = lineBreak ? FIELD : MID_LINE;
            matched = 0;
          }
        }
        case CAPTURE -> {
          int end = i;
          while (end < len && b.at(end) != '\n' && b.at(end) != '\r') {
            end++;
          }
          int keep = Math.min(end - i, Math.max(0, maxBytes - line.length()));
          line.appendBuffer(chunk, i, keep);
          i = end;
          if (end < len) {
            finish();
            return;
          }
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
