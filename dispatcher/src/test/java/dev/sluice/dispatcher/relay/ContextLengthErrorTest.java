package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every wording vLLM (and SGLang) gives a request too long for the model, as the server renders it: the
 * f-strings of the cited files filled in, plus the {@code " (parameter=..., value=...)"} suffix that
 * {@code VLLMValidationError.__str__} ({@code vllm/exceptions.py}) appends to the message of the error body.
 */
class ContextLengthErrorTest {

  private static String error(String message, String param) {
    JsonObject err = new JsonObject().put("message", message).put("type", "BadRequestError").put("code", 400);
    err.put("param", param);
    return new JsonObject().put("error", err).encode();
  }

  private static ContextLengthError parse(String message, String param) {
    return parse(error(message, param)).orElseThrow();
  }

  private static Optional<ContextLengthError> parse(String body) {
    return ContextLengthError.parse(400, body);
  }

  // ---- current vLLM: vllm/renderers/params.py, TokenizeParams --------------------------------------------

  /**
   * {@code _token_len_check}: the prompt was tokenized with {@code max_length = max_input_tokens + 1}
   * ({@code get_encode_kwargs}), so a too-long text prompt always comes back as exactly one token over: "at
   * least". A bound for routing, never a calibration sample.
   */
  @Test
  void rendererAtLeastFormIsABoundNotASample() {
    ContextLengthError e = parse("This model's maximum context length is 8192 tokens. However, you requested 512 "
        + "output tokens and your prompt contains at least 7681 input tokens, for a total of at least 8193 tokens. "
        + "Please reduce the length of the input prompt or the number of requested output tokens. "
        + "(parameter=input_tokens, value=7681)", "input_tokens");
    assertThat(new Object[] {e.inputTokens(), e.exactCount(), e.calibrationSample(), e.maxContext(),
        e.minimumContext()}).containsExactly(7681, false, -1, 8192, 8193L);
  }

  /** The same check without {@code max_tokens}: 0 output tokens requested. */
  @Test
  void rendererAtLeastFormWithoutMaxTokensStillNeedsALargerContext() {
    ContextLengthError e = parse("This model's maximum context length is 8192 tokens. However, you requested 0 "
        + "output tokens and your prompt contains at least 8193 input tokens, for a total of at least 8193 tokens. "
        + "Please reduce the length of the input prompt or the number of requested output tokens. "
        + "(parameter=input_tokens, value=8193)", "input_tokens");
    assertThat(new Object[] {e.calibrationSample(), e.minimumContext()}).containsExactly(-1, 8194L);
  }

  /** {@code _token_len_check} when the prompt was not cut short (token ids given): an exact count. */
  @Test
  void rendererExactFormIsASample() {
    ContextLengthError e = parse("This model's maximum context length is 8192 tokens. However, you requested 64 "
        + "output tokens and your prompt contains 10000 input tokens, for a total of 10064 tokens. Please reduce the "
        + "length of the input prompt or the number of requested output tokens. (parameter=input_tokens, value=10000)",
        "input_tokens");
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(10000, 8192, 10064L);
  }

  /** {@code _text_len_check}: refused before tokenizing, on characters alone. No count at all. */
  @Test
  void rendererCharacterFormIsRecognisedButIsNoSample() {
    ContextLengthError e = parse("This model's maximum context length is 8192 tokens. However, you requested 64 "
        + "output tokens and your prompt contains 100000 characters (more than 81280 characters, which is the upper "
        + "bound for 8128 input tokens). Please reduce the length of the input prompt or the number of requested "
        + "output tokens. (parameter=input_text, value=100000)", "input_text");
    assertThat(new Object[] {e.param(), e.inputTokens(), e.calibrationSample(), e.minimumContext()})
        .containsExactly("input_text", -1, -1, 8193L);
  }

  /**
   * {@code __post_init__}: the output alone exceeds the context. The param names are those of
   * {@code ChatCompletionRequest.build_tok_params} ({@code vllm/entrypoints/openai/chat_completion/protocol.py}):
   * {@code max_completion_tokens} when given, else {@code max_tokens}, against {@code max_model_len}. The
   * f-string has no space before "cannot" ({@code {max_total_tokens=}} renders as
   * {@code max_total_tokens=8192}).
   */
  @Test
  void maxCompletionTokensOverTheContextIsRecognised() {
    ContextLengthError e = parse("max_completion_tokens=9000cannot be greater than "
        + "max_model_len=max_total_tokens=8192. Please request fewer output tokens. "
        + "(parameter=max_completion_tokens, value=9000)", "max_completion_tokens");
    assertThat(new Object[] {e.param(), e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly("max_completion_tokens", -1, 8192, 9001L);
  }

  /** The same with {@code max_tokens}, and with the space some builds of the same check put before "cannot". */
  @Test
  void maxTokensOverTheContextIsRecognisedWithOrWithoutTheSpace() {
    ContextLengthError e = parse("max_tokens=9000 cannot be greater than max_model_len=max_total_tokens=8192. "
        + "Please request fewer output tokens. (parameter=max_tokens, value=9000)", "max_tokens");
    assertThat(new Object[] {e.param(), e.maxContext(), e.minimumContext()}).containsExactly("max_tokens", 8192, 9001L);
  }

  // ---- older vLLM, kept ------------------------------------------------------------------------------------

  /** v0.11 {@code vllm/entrypoints/openai/serving_engine.py} {@code _validate_input}, prompt alone too long. */
  @Test
  void v011PromptWording() {
    ContextLengthError e = parse("This model's maximum context length is 4096 tokens. However, your request has "
        + "5120 input tokens. Please reduce the length of the input messages.", "input_tokens");
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(5120, 4096, 5121L);
  }

  /** v0.11 {@code serving_engine.py}, {@code max_tokens} over what the prompt leaves. */
  @Test
  void v011MaxTokensTooLargeWording() {
    ContextLengthError e = parse("'max_tokens' or 'max_completion_tokens' is too large: 1000. This model's maximum "
        + "context length is 4096 tokens and your request has 3500 input tokens (1000 > 4096 - 3500).", "max_tokens");
    assertThat(new Object[] {e.calibrationSample(), e.minimumContext()}).containsExactly(3500, 4500L);
  }

  /** The renderer's first wording ({@code vllm/renderers/params.py} before the "at least" form). */
  @Test
  void firstRendererWording() {
    ContextLengthError e = parse("You passed 3900 input tokens and requested 512 output tokens. However, the "
        + "model's context length is only 4096 tokens, resulting in a maximum input length of 3584 tokens. Please "
        + "reduce the length of the input prompt.", "input_tokens");
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(3900, 4096, 4412L);
  }

  @Test
  void firstRendererCharacterFormIsRecognisedButIsNoSample() {
    ContextLengthError e = parse("You passed 90000 input characters and requested 16 output tokens. However, "
        + "the model's context length is only 4096 tokens, resulting in a maximum input length of 4080 tokens (at most "
        + "81600 characters). Please reduce the length of the input prompt.", "input_text");
    assertThat(new Object[] {e.param(), e.calibrationSample(), e.minimumContext()})
        .containsExactly("input_text", -1, 4097L);
  }

  @Test
  void olderFlatShapeWithNullParamIsMatchedByMessage() {
    String body = "{\"object\":\"error\",\"message\":\"This model's maximum context length is 1024 tokens. However, you "
        + "requested 1100 tokens (1090 in the messages, 10 in the completion). Please reduce the length of the messages "
        + "or completion.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}";
    ContextLengthError e = parse(body).orElseThrow();
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(1090, 1024, 1100L);
  }

  /** The engine's input processor ({@code vllm/v1/engine/input_processor.py}), e.g. image tokens past the limit. */
  @Test
  void inputProcessorWording() {
    ContextLengthError e = parse("The decoder prompt (length 12324) is longer than the maximum model length of 8192. "
        + "Make sure that `max_model_len` is no smaller than the number of text tokens.", null);
    assertThat(new Object[] {e.inputTokens(), e.maxContext(), e.minimumContext()}).containsExactly(12324, 8192, 12325L);
  }

  // ---- SGLang: python/sglang/srt/managers/tokenizer_manager.py, _validate_one_request ----------------------

  @Test
  void sglangPromptWording() {
    String body = "{\"object\":\"error\",\"message\":\"The input (9000 tokens) is longer than the model's context "
        + "length (8192 tokens).\",\"type\":\"BadRequest\",\"param\":null,\"code\":400}";
    ContextLengthError e = parse(body).orElseThrow();
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(9000, 8192, 9001L);
  }

  @Test
  void sglangTotalWording() {
    ContextLengthError e = parse("Requested token count exceeds the model's maximum context length of 8192 tokens. "
        + "You requested a total of 9064 tokens: 9000 tokens from the input messages and 64 tokens for the "
        + "completion. Please reduce the number of tokens in the input messages or the completion to fit within the "
        + "limit.", null);
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(9000, 8192, 9064L);
  }

  // ---- what is not a context-length error ------------------------------------------------------------------

  @Test
  void otherBadRequestsAreNotContextErrors() {
    assertThat(parse(error("temperature must be non-negative", "temperature"))).isEmpty();
    assertThat(parse(error("[{'type': 'missing', 'loc': ('body', 'messages')}]", null))).isEmpty();
  }

  /** A refusal that names {@code max_tokens} for another reason: a larger pool would refuse it just the same. */
  @Test
  void maxTokensParamWithoutALengthWordingIsNotAContextError() {
    assertThat(parse(error("max_tokens must be an integer (parameter=max_tokens)", "max_tokens"))).isEmpty();
    assertThat(parse(error("max_tokens must be at least 1, got 5.", "max_tokens"))).isEmpty();
  }

  /**
   * {@code get_max_tokens} ({@code vllm/entrypoints/serve/utils/api_utils.py}) gives
   * {@code max_model_len - prompt} when the request names no output; a prompt that fills the context leaves 0
   * (or less), which {@code SamplingParams} ({@code vllm/sampling_params.py}) refuses. Sluice never sends a
   * max_tokens below 1, so from upstream this is a prompt too long for the pool.
   */
  @Test
  void noOutputLeftByThePromptIsAContextError() {
    ContextLengthError zero = parse("max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)",
        "max_tokens");
    ContextLengthError negative = parse("max_tokens must be at least 1, got -46771. "
        + "(parameter=max_tokens, value=-46771)", "max_tokens");
    assertThat(new Object[] {zero.calibrationSample(), zero.minimumContext(), negative.param()})
        .containsExactly(-1, -1L, "max_tokens");
  }

  /** {@code get_max_tokens} itself, when the prompt alone is longer than the context. */
  @Test
  void inputLongerThanTheContextInGetMaxTokens() {
    ContextLengthError e = parse("Input length (9000) exceeds model's maximum context length (8192).", null);
    assertThat(new Object[] {e.calibrationSample(), e.maxContext(), e.minimumContext()})
        .containsExactly(9000, 8192, 9001L);
  }

  @Test
  void otherStatusesAreNotContextErrors() {
    String body = error("This model's maximum context length is 4096 tokens.", "input_tokens");
    assertThat(ContextLengthError.parse(429, body)).isEmpty();
    assertThat(ContextLengthError.parse(500, body)).isEmpty();
  }

  @Test
  void inputParamAloneIsEnoughWhenTheWordingIsNew() {
    assertThat(parse(error("Prompt too long for this deployment", "input_tokens"))).isPresent();
    assertThat(parse(error("Prompt too long for this deployment", "input_text"))).isPresent();
  }

  @Test
  void nonJsonBodyFallsBackToTheMessagePattern() {
    assertThat(parse("Bad Request: This model's maximum context length is 2048 tokens")).isPresent();
    assertThat(parse("Bad Request")).isEmpty();
  }

  /** An error event inside a 200 stream has no status: the error object alone decides. */
  @Test
  void anErrorObjectIsReadWithoutAStatus() {
    JsonObject err = new JsonObject().put("message", "This model's maximum context length is 8192 tokens. However, "
        + "you requested 16 output tokens and your prompt contains at least 8177 input tokens, for a total of at least "
        + "8193 tokens. Please reduce the length of the input prompt or the number of requested output tokens.")
        .put("type", "BadRequestError").putNull("param").put("code", 400);
    assertThat(ContextLengthError.inError(err).map(ContextLengthError::minimumContext)).contains(8193L);
  }
}
