package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonUsageTapTest {

  private static final String BODY = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"the \\\"prompt_tokens\\\": 5 "
      + "field\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":5012,\"total_tokens\":5030,\"completion_tokens\":18,"
      + "\"prompt_tokens_details\":null}}";

  private static int read(ResponseTap tap, byte[] body, int cut) {
    Buffer a = Buffer.buffer(java.util.Arrays.copyOfRange(body, 0, cut));
    Buffer b = Buffer.buffer(java.util.Arrays.copyOfRange(body, cut, body.length));
    assertThat(tap.onChunk(a)).isSameAs(a);
    assertThat(tap.onChunk(b)).isSameAs(b);
    assertThat(tap.onEnd().length()).isZero();
    return tap.promptTokens();
  }

  @Test
  void readsPromptTokensAtEverySplitPointWithoutCopying() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= body.length; cut++) {
      assertThat(read(new JsonUsageTap(), body, cut)).as("cut %d", cut).isEqualTo(5012);
    }
  }

  @Test
  void readsTheGeneratedTokensAtEverySplitPointToo() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= body.length; cut++) {
      JsonUsageTap tap = new JsonUsageTap(true);
      assertThat(read(tap, body, cut)).as("cut %d", cut).isEqualTo(5012);
      assertThat(tap.completionTokens()).as("cut %d", cut).isEqualTo(18);
    }
  }

  @Test
  void fallsBackToInputTokens() {
    byte[] body = "{\"usage\": {\"input_tokens\": 321, \"output_tokens\": 9}}".getBytes(StandardCharsets.UTF_8);
    assertThat(read(new JsonUsageTap(), body, 20)).isEqualTo(321);
  }

  @Test
  void noUsageIsMinusOne() {
    byte[] body = "{\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThat(read(new JsonUsageTap(), body, 3)).isEqualTo(-1);
  }

  @Test
  void choosesTheTapByStreamAndInjection() {
    assertThat(ResponseTaps.forResponse(false, false)).isInstanceOf(JsonUsageTap.class);
    byte[] stream = ("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\ndata: [DONE]\n\n")
        .getBytes(StandardCharsets.UTF_8);
    ResponseTap injected = ResponseTaps.forResponse(true, true);
    assertThat(injected.onChunk(Buffer.buffer(stream)).toString()).isEqualTo("data: [DONE]\n\n");
    ResponseTap asked = ResponseTaps.forResponse(true, false);
    assertThat(asked.onChunk(Buffer.buffer(stream)).length()).isEqualTo(stream.length);
    assertThat(asked.promptTokens()).isEqualTo(3);
  }
}
