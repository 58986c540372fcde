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
}
