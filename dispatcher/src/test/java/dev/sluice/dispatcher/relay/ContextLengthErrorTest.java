package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContextLengthErrorTest {

  private static String error(String message, String param) {
    JsonObject err = new JsonObject().put("message", message).put("type", "BadRequestError").put("code", 400);
    err.put("param", param);
    return new JsonObject().put("error", err).encode();
  }

  private static Optional<ContextLengthError> parse(String body) {
    return ContextLengthError.parse(400, body);
  }

  @Test
  void currentValidateInputWording() {
    ContextLengthError e = parse(error("This model's maximum context length is 4096 tokens. However, your request has "
        + "5120 input tokens. Please reduce the length of the input messages.", "input_tokens")).orElseThrow();
    assertThat(e.calibrationSample()).isEqualTo(5120);
    assertThat(e.maxContext()).isEqualTo(4096);
  }

  @Test
  void maxTokensTooLargeWording() {
    ContextLengthError e = parse(error("'max_tokens' or 'max_completion_tokens' is too large: 1000. This model's maximum "
        + "context length is 4096 tokens and your request has 3500 input tokens (1000 > 4096 - 3500).", "max_tokens"))
        .orElseThrow();
    assertThat(e.calibrationSample()).isEqualTo(3500);
  }

  @Test
  void renderersParamsWording() {
    ContextLengthError e = parse(error("You passed 3900 input tokens and requested 512 output tokens. However, the "
        + "model's context length is only 4096 tokens, resulting in a maximum input length of 3584 tokens. Please "
        + "reduce the length of the input prompt.", "input_tokens")).orElseThrow();
    assertThat(e.calibrationSample()).isEqualTo(3900);
    assertThat(e.maxContext()).isEqualTo(4096);
  }

  @Test
  void characterPreCheckIsRecognisedButIsNoSample() {
    ContextLengthError e = parse(error("You passed 90000 input characters and requested 16 output tokens. However, "
        + "the model's context length is only 4096 tokens, resulting in a maximum input length of 4080 tokens (at most "
        + "81600 characters). Please reduce the length of the input prompt.", "input_text")).orElseThrow();
    assertThat(e.param()).isEqualTo("input_text");
    assertThat(e.calibrationSample()).isEqualTo(-1);
  }

  @Test
  void atLeastCountIsABoundNotASample() {
    ContextLengthError e = parse(error("This model's maximum context length is 8192 tokens. However, you requested 512 "
        + "output tokens and your prompt contains at least 7681 input tokens, for a total of at least 8193 tokens. "
        + "Please reduce the length of the input prompt or the number of requested output tokens. "
        + "(parameter=input_tokens, value=7681)", "input_tokens")).orElseThrow();
    assertThat(e.inputTokens()).isEqualTo(7681);
    assertThat(e.exactCount()).isFalse();
    assertThat(e.calibrationSample()).isEqualTo(-1);
  }

  @Test
  void olderFlatShapeWithNullParamIsMatchedByMessage() {
    String body = "{\"object\":\"error\",\"message\":\"This model's maximum context length is 1024 tokens. However, you "
        + "requested 1100 tokens (1090 in the messages, 10 in the completion). Please reduce the length of the messages "
        + "or completion.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}";
    ContextLengthError e = parse(body).orElseThrow();
    assertThat(e.calibrationSample()).isEqualTo(1090);
    assertThat(e.maxContext()).isEqualTo(1024);
  }

  @Test
  void otherBadRequestsAreNotContextErrors() {
    assertThat(parse(error("temperature must be non-negative", "temperature"))).isEmpty();
    assertThat(parse(error("[{'type': 'missing', 'loc': ('body', 'messages')}]", null))).isEmpty();
  }

  @Test
  void otherStatusesAreNotContextErrors() {
    String body = error("This model's maximum context length is 4096 tokens.", "input_tokens");
    assertThat(ContextLengthError.parse(429, body)).isEmpty();
    assertThat(ContextLengthError.parse(500, body)).isEmpty();
  }

  @Test
  void paramAloneIsEnoughWhenTheWordingIsNew() {
    assertThat(parse(error("Prompt too long for this deployment", "input_tokens"))).isPresent();
  }

  @Test
  void nonJsonBodyFallsBackToTheMessagePattern() {
    assertThat(parse("Bad Request: This model's maximum context length is 2048 tokens")).isPresent();
    assertThat(parse("Bad Request")).isEmpty();
  }
}
