package dev.sluice.mock;

/**
 * Which vLLM OpenAI server the mock answers as. The two differ where a router in front of vLLM can tell:
 * the wording of the length refusals and how {@code stream_options} is read.
 */
public enum VllmVersion {
  /**
   * About v0.11 ({@code vllm/entrypoints/openai/serving_engine.py} {@code _validate_input}): length refusals
   * state the exact prompt count ("your request has n input tokens"); a {@code stream_options} object asks for
   * usage unless its {@code include_usage} is false ({@code StreamOptions.include_usage} defaulted to true).
   */
  V0_11("0.11", true),
  /**
   * Current vLLM: the renderer's length checks ({@code vllm/renderers/params.py}), which stop tokenizing one
   * token past the limit and so say "at least n input tokens"; {@code include_usage} is false unless given
   * (vLLM PR #36379); validation errors end with {@code " (parameter=..., value=...)"}
   * ({@code VLLMValidationError}, {@code vllm/exceptions.py}).
   */
  CURRENT("current", false);

  private final String label;
  private final boolean includeUsageByDefault;

  VllmVersion(String label, boolean includeUsageByDefault) {
    this.label = label;
    this.includeUsageByDefault = includeUsageByDefault;
  }

  /** {@code 0.11} or {@code current}. */
  public static VllmVersion named(String name) {
    for (VllmVersion v : values()) {
      if (v.label.equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown vLLM version '" + name + "' (current|0.11)");
  }

  /** What {@code stream_options} without {@code include_usage} means. */
  boolean includeUsageByDefault() {
    return includeUsageByDefault;
  }

  public String label() {
    return label;
  }
}
