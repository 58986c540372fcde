package dev.sluice.mock;

/** Defaults of the vLLM mock, in one place. */
final class MockDefaults {

  /** Every interface, like vLLM's {@code --host} default. */
  static final String HOST = "0.0.0.0";
  static final int PORT = 8000;
  static final String MODEL = "meta-llama/Meta-Llama-3-70B-Instruct";
  static final String PROFILE = "short";
  static final String TOKENIZER = "cl100k";
  static final String TIMING = "gpu";
  /** Output tokens when a request gives no max_tokens (capped by what the context has left). */
  static final int DEFAULT_MAX_TOKENS = 256;
  /** Prompts longer than this (chars) are tokenized on a worker thread, not on the event loop (~0.4 ms/4 KiB). */
  static final long INLINE_TOKENIZE_MAX_CHARS = 16 * 1024;
  /**
   * Responses kept for {@code previous_response_id}, the oldest forgotten first (vLLM keeps every one, with
   * {@code VLLM_ENABLE_RESPONSES_API_STORE=1}, and warns of the leak).
   */
  static final int STORED_RESPONSES = 10_000;
  /** Floats in a mock embedding. */
  static final int EMBEDDING_DIMENSIONS = 8;
  /** A reset-mid-stream fault closes the connection after this many content chunks. */
  static final int RESET_AFTER_TOKENS = 2;

  private MockDefaults() {
  }
}
