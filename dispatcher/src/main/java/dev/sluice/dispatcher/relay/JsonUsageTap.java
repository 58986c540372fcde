package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Tap for a non-streaming JSON response: forwards every chunk untouched (no copy, nothing held) and reads
 * {@code usage.prompt_tokens}, or {@code usage.input_tokens} when a server reports only that (the Responses and
 * Messages APIs); asked to, also the generated tokens ({@code completion_tokens} or {@code output_tokens}).
 */
public final class JsonUsageTap implements ResponseTap {
  private static final int PROMPT = 0;
  private static final int INPUT = 1;
  private static final int COMPLETION = 2;

  /** One pass over the answer for every key read: prompt, input and, when asked, generated tokens. */
  private final UsageNumberScanner usage;
  private final boolean countCompletion;

  public JsonUsageTap() {
    this(false);
  }

  public JsonUsageTap(boolean countCompletion) {
    this(countCompletion ? UsageNumberScanner.COMPLETION_TOKENS : null);
  }

  /** @param completionKey the quoted usage key of the generated tokens, or null not to read them */
  JsonUsageTap(byte[] completionKey) {
    this.countCompletion = completionKey != null;
    this.usage = countCompletion
        ? new UsageNumberScanner(UsageNumberScanner.PROMPT_TOKENS, UsageNumberScanner.INPUT_TOKENS, completionKey)
        : new UsageNumberScanner(UsageNumberScanner.PROMPT_TOKENS, UsageNumberScanner.INPUT_TOKENS);
  }

  @Override
  public Buffer onChunk(Buffer chunk) {
    usage.feed(chunk, 0, chunk.length());
    return chunk;
  }

  @Override
  public Buffer onEnd() {
    usage.end();
    return Buffer.buffer();
  }

  @Override
  public int promptTokens() {
    int p = usage.value(PROMPT);
    return p >= 0 ? p : usage.value(INPUT);
  }

  @Override
  public int completionTokens() {
    return countCompletion ? usage.value(COMPLETION) : -1;
  }

}
