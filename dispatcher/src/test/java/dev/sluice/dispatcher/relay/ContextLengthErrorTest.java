package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class ContextLengthErrorTest {
  @Test
  void nestedErrorWithInputTokensParamMatches() {
    assertThat(ContextLengthError.matches(Buffer.buffer(
        "{\"error\":{\"message\":\"too long\",\"type\":\"BadRequestError\",\"param\":\"input_tokens\",\"code\":400}}")))
        .isTrue();
  }

  @Test
  void vllmMessageWordingMatchesWithoutParam() {
    assertThat(ContextLengthError.matches(Buffer.buffer("{\"error\":{\"message\":\"This model's maximum context length is "
        + "8192 tokens. However, you requested 9000 tokens\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}")))
        .isTrue();
  }

  @Test
  void olderFlatShapeMatches() {
    assertThat(ContextLengthError.matches(Buffer.buffer(
        "{\"object\":\"error\",\"message\":\"This model's maximum context length is 4096 tokens.\",\"code\":400}")))
        .isTrue();
  }

  @Test
  void otherValidationErrorDoesNotMatch() {
    assertThat(ContextLengthError.matches(Buffer.buffer(
        "{\"error\":{\"message\":\"temperature must be >= 0\",\"type\":\"BadRequestError\",\"param\":\"temperature\"}}")))
        .isFalse();
  }

  @Test
  void statedPromptCountIsRead() {
    assertThat(ContextLengthError.promptTokens(Buffer.buffer("{\"error\":{\"message\":\"This model's maximum context length "
        + "is 4096 tokens. However, you requested 5000 tokens (4990 in the messages, 10 in the completion).\"}}")))
        .isEqualTo(4990);
  }

  @Test
  void newerWordingWithInputTokensIsRead() {
    assertThat(ContextLengthError.promptTokens(Buffer.buffer(
        "{\"error\":{\"message\":\"However, your request has 5123 input tokens. Please reduce the length.\"}}")))
        .isEqualTo(5123);
  }

  @Test
  void aLowerBoundIsNotACount() {
    assertThat(ContextLengthError.promptTokens(Buffer.buffer("{\"error\":{\"message\":\"you requested 10 output tokens "
        + "and your prompt contains at least 4087 input tokens\"}}"))).isEqualTo(-1);
  }
}
