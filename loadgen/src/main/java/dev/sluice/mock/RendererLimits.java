package dev.sluice.mock;

/**
 * Current vLLM's length checks of a prompt, {@code TokenizeParams} in
 * {@code vllm/frontend/processing/renderers/params.py} (formerly {@code vllm/renderers/params.py}), as the
 * endpoints added after chat and completions meet them: {@code __post_init__}, {@code _text_len_check}, then
 * {@code _token_len_check}. The chat and completions endpoints keep the wording of {@link MockVllm}'s own check,
 * which follows the previous release (no space before "cannot", "at least" on every text prompt).
 */
final class RendererLimits {

  private RendererLimits() {
  }

  /**
   * Null when the prompt fits, else vLLM's refusal.
   *
   * @param total          {@code max_total_tokens}: max_model_len
   * @param output         {@code max_output_tokens}: the output the request asks for, 0 when it asks none
   * @param outputParam    the request field vLLM names for it
   * @param textChars      characters of the prompt's text, or -1 when the prompt was given as token ids
   * @param prompt         the prompt's full token count
   * @param maxCharsPerToken characters of the vocabulary's longest token
   */
  static MockRequest.Invalid check(int total, int output, String outputParam, long textChars, int prompt,
      int maxCharsPerToken) {
    if (output > total) {
      return new MockRequest.Invalid(outputParam + "=" + output + " cannot be greater than max_model_len="
          + "max_total_tokens=" + total + ". Please request fewer output tokens.", outputParam, output);
    }
    int maxInput = total - output;
    long maxChars = (long) maxInput * maxCharsPerToken;
    if (textChars > maxChars) {
      return new MockRequest.Invalid("This model's maximum context length is " + total + " tokens. However, you "
          + "requested " + output + " output tokens and your prompt contains " + textChars + " characters (more than "
          + maxChars + " characters, which is the upper bound for " + maxInput + " input tokens). Please reduce the "
          + "length of the input prompt or the number of requested output tokens.", "input_text", textChars);
    }
    if (prompt > maxInput) {
      // text is tokenized only to max_input + 1 tokens (get_encode_kwargs); that count, and only it, is "at least"
      int count = textChars >= 0 ? maxInput + 1 : prompt;
      String atLeast = count == maxInput + 1 ? "at least " : "";
      return new MockRequest.Invalid("This model's maximum context length is " + total + " tokens. However, you "
          + "requested " + output + " output tokens and your prompt contains " + atLeast + count + " input tokens, "
          + "for a total of " + atLeast + ((long) count + output) + " tokens. Please reduce the length of the input "
          + "prompt or the number of requested output tokens.", "input_tokens", count);
    }
    return null;
  }
}
