package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Tap for a non-streaming JSON response: forwards every chunk untouched (no copy, nothing held) and reads
 * {@code usage.prompt_tokens}, or {@code usage.input_tokens} when a server reports only that.
 */
public final class JsonUsageTap implements ResponseTap {
  private final UsageNumberScanner promptTokens = new UsageNumberScanner(UsageNumberScanner.PROMPT_TOKENS);
  private final UsageNumberScanner inputTokens = new UsageNumberScanner(UsageNumberScanner.INPUT_TOKENS);

  @Override
  public Buffer onChunk(Buffer chunk) {
    int n = chunk.length();
    promptTokens.feed(chunk, 0, n);
    inputTokens.feed(chunk, 0, n);
    return chunk;
  }

  @Override
  public Buffer onEnd() {
    promptTokens.end();
    inputTokens.end();
    return Buffer.buffer();
  }

  @Override
  public int promptTokens() {
    int p = promptTokens.value();
    return p >= 0 ? p : inputTokens.value();
  }
}
