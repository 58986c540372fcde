package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatBodyTest {

  private static final String TRICKY = "line \"one\"\n\ttab \\ back\u0001 日本語 \u007f end";

  @Test
  void contentSurvivesAJsonRoundTrip() {
    byte[] body = ChatBody.encode("m", TRICKY.getBytes(StandardCharsets.UTF_8), 7, true);
    JsonObject json = new JsonObject(Buffer.buffer(body));
    assertThat(json.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo(TRICKY);
  }

  @Test
  void carriesMaxTokensAndStream() {
    JsonObject json = new JsonObject(Buffer.buffer(ChatBody.encode("m", new byte[] {'x'}, 42, true)));
    assertThat(json.getInteger("max_tokens")).isEqualTo(42);
    assertThat(json.getBoolean("stream")).isTrue();
  }

  @Test
  void keepsNonAsciiAsRawUtf8() {
    byte[] body = ChatBody.encode("m", "日本".getBytes(StandardCharsets.UTF_8), 1, false);
    assertThat(new String(body, StandardCharsets.UTF_8)).contains("日本");
  }
}
