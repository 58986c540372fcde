package dev.sluice.dispatcher.api;

/**
 * The APIs Sluice routes, one row each, with what differs between them: the path, where the prompt text lives (the
 * scanner), whether the request generates output (its budget holds an output reserve), the usage keys its answers
 * carry, the error shape its clients read, and what only chat and completions support (the exact count by a
 * pool's tokenizer, and Sluice asking a stream for its usage).
 *
 * <p>The request-body fields each API is scanned for: chat {@code messages}; completions {@code prompt} (text or
 * token ids); responses {@code instructions} and {@code input}, {@code max_output_tokens}, {@code
 * previous_response_id} and {@code conversation}; messages {@code system} and {@code messages}, a required {@code
 * max_tokens}; embeddings {@code input} (text or token ids, no output); tokenize {@code prompt} or
 * {@code messages}; detokenize {@code tokens}.
 */
public enum Api {
  CHAT("/v1/chat/completions", ErrorShape.OPENAI, true, true, "prompt_tokens", "completion_tokens"),
  COMPLETIONS("/v1/completions", ErrorShape.OPENAI, true, true, "prompt_tokens", "completion_tokens"),
  RESPONSES("/v1/responses", ErrorShape.OPENAI, true, false, "input_tokens", "output_tokens"),
  MESSAGES("/v1/messages", ErrorShape.ANTHROPIC, true, false, "input_tokens", "output_tokens"),
  EMBEDDINGS("/v1/embeddings", ErrorShape.OPENAI, false, false, "prompt_tokens", "completion_tokens"),
  /**
   * vLLM's tokenizer endpoints, sent to the pool that would serve the same prompt as a completion (so with the same
   * output reserve): that pool's model and template count it. Their answers carry no usage and calibrate nothing.
   */
  TOKENIZE("/tokenize", ErrorShape.OPENAI, true, false, null, null),
  DETOKENIZE("/detokenize", ErrorShape.OPENAI, true, false, null, null);

  /** How a client of the API reads an error. */
  public enum ErrorShape {
    /** {@code {"error":{"message","type","param","code"}}}. */
    OPENAI,
    /** Anthropic's {@code {"type":"error","error":{"type","message"}}}. */
    ANTHROPIC
  }

  /**
   * The longest {@code model} accepted: longer is refused as bad input before it keys anything (calibration
   * entries, the models' table); served names are far shorter.
   */
  public static final int MAX_MODEL_NAME = 256;

  private final String path;
  private final ErrorShape errorShape;
  private final boolean reservesOutput;
  private final boolean completionLike;
  private final String promptKey;
  private final String outputKey;

  Api(String path, ErrorShape errorShape, boolean reservesOutput, boolean completionLike, String promptKey,
      String outputKey) {
    this.path = path;
    this.errorShape = errorShape;
    this.reservesOutput = reservesOutput;
    this.completionLike = completionLike;
    this.promptKey = promptKey;
    this.outputKey = outputKey;
  }

  public String path() {
    return path;
  }

  public ErrorShape errorShape() {
    return errorShape;
  }

  /** Whether the budget reserves output tokens (the request's own limit, else the default); embeddings do not. */
  public boolean reservesOutput() {
    return reservesOutput;
  }

  /**
   * Chat and completions: {@code /tokenize} counts their prompt as the upstream will (the exact count at a pool
   * boundary), and a stream may be asked for {@code include_usage} on the client's behalf. Responses and Messages
   * streams always end with their usage, so Sluice never has to ask.
   */
  public boolean completionLike() {
    return completionLike;
  }

  /** The usage key of the prompt's token count in the API's answers, or null when its answers carry no usage. */
  public String promptKey() {
    return promptKey;
  }

  /** The usage key of the generated token count, or null. */
  public String outputKey() {
    return outputKey;
  }

  /** The API served at {@code path}, or null. */
  public static Api at(String path) {
    for (Api api : VALUES) {
      if (api.path.equals(path)) {
        return api;
      }
    }
    return null;
  }

  private static final Api[] VALUES = values();
}
