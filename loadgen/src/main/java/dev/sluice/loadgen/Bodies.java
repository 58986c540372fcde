package dev.sluice.loadgen;

import io.vertx.core.buffer.Buffer;

/**
 * The pre-encoded request bodies a schedule indexes, with what each one asks for.
 *
 * @param buffers      the encoded bodies
 * @param promptTokens true prompt tokens of each body (text only, no chat template), or null when unknown
 * @param maxTokens    {@code max_tokens} of each body, or null when unknown
 */
public record Bodies(Buffer[] buffers, int[] promptTokens, int[] maxTokens) {

  public Bodies {
    if (promptTokens != null && promptTokens.length != buffers.length
        || maxTokens != null && maxTokens.length != buffers.length) {
      throw new IllegalArgumentException("one token count per body");
    }
  }

  /** Bodies whose sizes are not known. */
  public static Bodies of(Buffer[] buffers) {
    return new Bodies(buffers, null, null);
  }

  public int size() {
    return buffers.length;
  }

  int promptTokens(int body) {
    return promptTokens == null ? 0 : promptTokens[body];
  }

  int maxTokens(int body) {
    return maxTokens == null ? 0 : maxTokens[body];
  }
}
