package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Tap for a non-streaming JSON response: forwards every chunk untouched (no copy, nothing held) and reads
 * {@code usage.prompt_tokens}, or {@code usage.input_tokens} when a server reports only that (the Responses and
 * Messages APIs); asked to, also the generated tokens ({@code completion_tokens} or {@code output_tokens}), .
 */
public final class JsonUsageTap implements ResponseTap {
  private final UsageNumberScanner promptTokens = new UsageNumberScanner(UsageNumberScanner.PROMPT_TOKENS);
  private final UsageNumberScanner inputTokens = new UsageNumberScanner(UsageNumberScanner.INPUT_TOKENS);
  /** Null unless asked for: a scan more per byte. */
  private final UsageNumberScanner completionTokens;

  public JsonUsageTap() {
    this(false);
  }

  public JsonUsageTap(boolean countCompletion) {
    this(countCompletion ? UsageNumberScanner.COMPLETION_TOKENS : null);
  }

  /** @param completionKey the quoted usage key of the generated tokens, or null not to read them */
  JsonUsageTap(byte[] completionKey) {
    this.completionTokens = completionKey == null ? null : new UsageNumberScanner(completionKey);
  }

  @Override
  public Buffer onChunk(Buffer chunk) {
    int n = chunk.length();
    promptTokens.feed(chunk, 0, n);
    inputTokens.feed(chunk, 0, n);
    if (completionTokens != null) {
      completionTokens.feed(chunk, 0, n);
    }
    return chunk;
  }

  @Override
  public Buffer onEnd() {
    promptTokens.end();
    inputTokens.end();
    if (completionTokens != null) {
      completionTokens.end();
    }
    return Buffer.buffer();
  }

  @Override
  public int promptTokens() {
    int p = promptTokens.value();
    return p >= 0 ? p : inputTokens.value();
  }

  @Override
  public int completionTokens() {
    return completionTokens == null ? -1 : completionTokens.value();
  }

}
