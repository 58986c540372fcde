package dev.sluice.loadgen;

import io.vertx.core.buffer.Buffer;

/**
 * Counts server-sent events in a byte stream without parsing them: an event ends at a blank line ({@code \n\n},
 * carriage returns ignored). The terminating {@code data: [DONE]} event is recognised and not counted as a token.
 * Chunk boundaries may fall anywhere, including inside the delimiter.
 */
public final class SseCounter {

  private static final byte[] DONE = "data: [DONE]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private boolean lastWasNewline;
  private int eventPos;
  private int doneMatch;
  private boolean sawDone;

  /** Feeds one chunk; returns how many token events (not {@code [DONE]}) ended in it. */
  public int feed(Buffer chunk) {
    int events = 0;
    int length = chunk.length();
    for (int i = 0; i < length; i++) {
      byte b = chunk.getByte(i);
      if (b == '\r') {
        continue;
      }
      if (b == '\n') {
        if (lastWasNewline) {
          if (eventPos > 0) {
            if (doneMatch == DONE.length) {
              sawDone = true;
            } else {
              events++;
            }
          }
          eventPos = 0;
          doneMatch = 0;
          lastWasNewline = false;
          continue;
        }
        lastWasNewline = true;
      } else {
        lastWasNewline = false;
      }
      if (doneMatch == eventPos && doneMatch < DONE.length && b == DONE[doneMatch]) {
        doneMatch++;
      }
      eventPos++;
    }
    return events;
  }

  public boolean sawDone() {
    return sawDone;
  }
}
