package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBodyTest {

  private static final String TRICKY = "line \"one\"\n\ttab \\ back\u0001 日本語 \u007f end";
  private static final List<Dataset.Message> CONVERSATION = List.of(new Dataset.Message("system", "Be brief."),
      new Dataset.Message("user", "Hi"), new Dataset.Message("assistant", "Hello"),
      new Dataset.Message("user", "Why?"));

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Test
  void contentSurvivesAJsonRoundTrip() {
    byte[] body = RequestBody.encode(Api.CHAT, "m", TRICKY.getBytes(StandardCharsets.UTF_8), 7, true);
    JsonObject json = new JsonObject(Buffer.buffer(body));
    assertThat(json.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo(TRICKY);
  }

  @Test
  void carriesMaxTokensAndStream() {
    JsonObject json = new JsonObject(Buffer.buffer(RequestBody.encode(Api.CHAT, "m", new byte[] {'x'}, 42, true)));
    assertThat(json.getInteger("max_tokens")).isEqualTo(42);
    assertThat(json.getBoolean("stream")).isTrue();
  }

  @Test
  void keepsNonAsciiAsRawUtf8() {
    byte[] body = RequestBody.encode(Api.CHAT, "m", "日本".getBytes(StandardCharsets.UTF_8), 1, false);
    assertThat(text(body)).contains("日本");
  }

  @Test
  void eachApiLaysOutOnePromptItsOwnWay() {
    byte[] hi = "Hi".getBytes(StandardCharsets.UTF_8);
    assertThat(text(RequestBody.encode(Api.CHAT, "m", hi, 5, false))).isEqualTo(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":5,\"stream\":false}");
    assertThat(text(RequestBody.encode(Api.CHAT, "m", hi, 5, true))).isEqualTo(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":5,"
            + "\"stream_options\":{\"include_usage\":true},\"stream\":true}");
    assertThat(text(RequestBody.encode(Api.COMPLETIONS, "m", hi, 5, true))).isEqualTo(
        "{\"model\":\"m\",\"prompt\":\"Hi\",\"max_tokens\":5,\"stream_options\":{\"include_usage\":true},"
            + "\"stream\":true}");
    assertThat(text(RequestBody.encode(Api.RESPONSES, "m", hi, 5, true))).isEqualTo(
        "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_output_tokens\":5,\"stream\":true}");
    assertThat(text(RequestBody.encode(Api.MESSAGES, "m", hi, 5, false))).isEqualTo(
        "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":false}");
    assertThat(text(RequestBody.encode(Api.EMBEDDINGS, "m", hi, 0, false))).isEqualTo(
        "{\"model\":\"m\",\"input\":\"Hi\"}");
  }

  @Test
  void systemMessagesGoWhereEachApiKeepsThem() {
    JsonObject chat = json(Api.CHAT);
    assertThat(chat.getJsonArray("messages")).hasSize(4);
    JsonObject responses = json(Api.RESPONSES);
    assertThat(responses.getString("instructions")).isEqualTo("Be brief.");
    assertThat(responses.getJsonArray("input").stream().map(m -> ((JsonObject) m).getString("role")))
        .containsExactly("user", "assistant", "user");
    JsonObject messages = json(Api.MESSAGES);
    assertThat(messages.getString("system")).isEqualTo("Be brief.");
    assertThat(messages.getJsonArray("messages").getJsonObject(2).getString("content")).isEqualTo("Why?");
    assertThat(json(Api.COMPLETIONS).getString("prompt")).isEqualTo("Be brief.\n\nHi\n\nHello\n\nWhy?");
    assertThat(json(Api.EMBEDDINGS).getString("input")).isEqualTo("Be brief.\n\nHi\n\nHello\n\nWhy?");
  }

  private static JsonObject json(Api api) {
    return new JsonObject(Buffer.buffer(RequestBody.encode(api, "m", CONVERSATION, api.generates() ? 9 : 0, false)));
  }

  @Test
  void aConversationKeyGoesInPromptCacheKeyWhereTheApiHasIt() {
    JsonObject body = new JsonObject(Buffer.buffer(RequestBody.encode(Api.RESPONSES, "m", CONVERSATION, 9, true,
        "conversation-1")));
    assertThat(body.getString("prompt_cache_key")).isEqualTo("conversation-1");
    assertThatThrownBy(() -> RequestBody.encode(Api.MESSAGES, "m", CONVERSATION, 9, true, "conversation-1"))
        .hasMessageContaining("prompt_cache_key");
    assertThatThrownBy(() -> RequestBody.encode(Api.EMBEDDINGS, "m", CONVERSATION, 0, true))
        .hasMessageContaining("never streamed");
  }
}
