package dev.sluice.dispatcher.exact;

import dev.sluice.dispatcher.api.Api;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.scan.BodyScanner;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.ScanLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TokenizeBodyTest {

  private static RequestFacts scan(Buffer body, Api kind) {
    BodyScanner scanner = new BodyScanner(kind, ScanLimits.DEFAULTS);
    // byte by byte: the offsets must not depend on how the body arrives
    for (int i = 0; i < body.length(); i++) {
      scanner.feed(body.slice(i, i + 1));
    }
    return scanner.finish();
  }

  @Test
  void aChatBodyKeepsItsModelAndItsMessagesByteForByte() {
    JsonArray messages = new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Be brief. \"Quotes\" and \\ slashes."))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "日本語 \uD83D\uDE00 café"))));
    Buffer body = Buffer.buffer("{\"max_tokens\": 12, \"model\": \"llama \\\"3\\\"\", \"messages\" :\n "
        + messages.encode() + " , \"stream\": true, \"temperature\": 0.2}");

    JsonObject tokenize = new JsonObject(TokenizeBody.of(body, scan(body, Api.CHAT)));

    assertThat(tokenize.fieldNames()).containsExactly("model", "messages");
    assertThat(tokenize.getString("model")).isEqualTo("llama \"3\"");
    assertThat(tokenize.getJsonArray("messages")).isEqualTo(messages);
  }

  @Test
  void theLastMessagesKeyIsTheOneCounted() {
    Buffer body = Buffer.buffer("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"first\"}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"second\"}]}");

    JsonObject tokenize = new JsonObject(TokenizeBody.of(body, scan(body, Api.CHAT)));

    assertThat(tokenize.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("second");
  }

  @Test
  void aCompletionsPromptStringIsCountedAndAnArrayIsNot() {
    Buffer one = Buffer.buffer("{\"prompt\": \"Once upon a time\\n\", \"model\": \"m\", \"max_tokens\": 5}");
    JsonObject tokenize = new JsonObject(TokenizeBody.of(one, scan(one, Api.COMPLETIONS)));
    assertThat(tokenize.getString("prompt")).isEqualTo("Once upon a time\n");

    Buffer many = Buffer.buffer("{\"prompt\": [\"a\", \"b\"], \"model\": \"m\"}");
    assertThat(TokenizeBody.of(many, scan(many, Api.COMPLETIONS))).isNull();
  }

  @Test
  void withoutAModelTheServersOwnCounts() {
    Buffer body = Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    JsonObject tokenize = new JsonObject(TokenizeBody.of(body, scan(body, Api.CHAT)));
    assertThat(tokenize.fieldNames()).containsExactly("messages");
  }
}
