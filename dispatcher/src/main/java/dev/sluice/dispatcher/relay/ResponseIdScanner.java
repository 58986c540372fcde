package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Finds the first {@code "id":"..."} in a Responses API answer as it streams by: the response's own id, which opens
 * the non-streamed object and the {@code response} of the first event ({@code response.created}). Keeps a few ints
 * and at most {@link #MAX_ID} bytes between pieces, and stops looking once it has the id. As with the usage keys, a
 * raw {@code "id"} followed by a colon can only be an object key, never text the model wrote.
 */
final class ResponseIdScanner {
  /** Longer ids are not kept: vLLM's are {@code resp_} and a few dozen characters. */
  static final int MAX_ID = 128;
  private static final byte[] KEY = {'"', 'i', 'd', '"'};
  private static final int MATCHING = 0;
  private static final int AFTER_KEY = 1;
  private static final int AFTER_COLON = 2;
  private static final int IN_ID = 3;
  private static final int DONE = 4;

  private int state = MATCHING;
  private int matched;
  private final byte[] id = new byte[MAX_ID];
  private int length;
  private String value;

  void feed(Buffer buf, int from, int to) {
    if (state == DONE) {
      return;
    }
    Bytes bytes = Bytes.of(buf);
    for (int i = from; i < to && state != DONE; i++) {
      step(bytes.at(i));
    }
  }

  /** The id, or null when none was seen (or it was too long, or escaped). */
  String value() {
    return value;
  }

  private void step(byte b) {
    switch (state) {
      case AFTER_KEY -> {
        if (b == ':') {
          state = AFTER_COLON;
        } else if (!isSpace(b)) {
          restart(b);
        }
        return;
      }
      case AFTER_COLON -> {
        if (b == '"') {
          state = IN_ID;
          length = 0;
        } else if (!isSpace(b)) {
          restart(b);
        }
        return;
      }
      case IN_ID -> {
        if (b == '"') {
          value = new String(id, 0, length, StandardCharsets.UTF_8);
          state = DONE;
        } else if (b == '\\' || length == MAX_ID) {
          state = DONE;   // not an id Sluice keeps: nothing is remembered for it
        } else {
          id[length++] = b;
        }
        return;
      }
      default -> restart(b);
    }
  }

  private void restart(byte b) {
    state = MATCHING;
    if (b == KEY[matched]) {
      matched++;
      if (matched == KEY.length) {
        state = AFTER_KEY;
        matched = 0;
      }
    } else {
      matched = b == KEY[0] ? 1 : 0;
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
