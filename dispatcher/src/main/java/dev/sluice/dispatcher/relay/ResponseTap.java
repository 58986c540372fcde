package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Watches an upstream response body as it streams to the client: reads {@code usage} for calibration
 * and may drop the usage-only SSE event that Sluice asked for on the client's behalf. One per response,
 * called on the event loop in order; must not buffer more than one partial event.
 */
public interface ResponseTap {

  /** Returns what to forward to the client for this upstream chunk (possibly the same buffer, or empty). */
  Buffer onChunk(Buffer chunk);

  /** Returns what is still held back when the upstream body ends (usually empty). */
  Buffer onEnd();

  /** {@code usage.prompt_tokens} seen so far, or -1. */
  int promptTokens();

  /** {@code usage.completion_tokens} seen so far, or -1 (also when the tap was not asked to read it). */
  default int completionTokens() {
    return -1;
  }

  /** A tap that forwards everything and reads nothing. */
  ResponseTap NONE = new ResponseTap() {
    @Override
    public Buffer onChunk(Buffer chunk) {
      return chunk;
    }

    @Override
    public Buffer onEnd() {
      return Buffer.buffer();
    }

    @Override
    public int promptTokens() {
      return -1;
    }
  };
}
