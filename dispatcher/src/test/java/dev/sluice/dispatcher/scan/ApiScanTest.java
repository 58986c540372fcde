package dev.sluice.dispatcher.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.dispatcher.api.Api;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What the scanner reads from each API's body beyond chat and completions: the prompt text's bytes (which strings
 * count), the output limit, token ids, the Responses continuation fields, and the refusals of each shape.
 */
class ApiScanTest {

  private static RequestFacts scan(Api api, String json) {
    BodyScanner scanner = new BodyScanner(api, ScanLimits.DEFAULTS);
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    // fed in two pieces: nothing may depend on where a chunk ends
    int half = bytes.length / 2;
    scanner.feed(Buffer.buffer().appendBytes(bytes, 0, half));
    scanner.feed(Buffer.buffer().appendBytes(bytes, half, bytes.length - half));
    return scanner.finish();
  }

  private static ScanException refused(Api api, String json) {
    try {
      scan(api, json);
    } catch (ScanException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void responsesCountInstructionsAndEveryTextOfTheInputItems() {
    JsonObject body = new JsonObject().put("model", "m").put("instructions", "12345")
        .put("input", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "abc"))
            .add(new JsonObject().put("type", "message").put("role", "assistant").put("content", new JsonArray()
                .add(new JsonObject().put("type", "output_text").put("text", "defg"))))
            .add(new JsonObject().put("type", "function_call").put("name", "f").put("arguments", "{\"a\":1}"))
            .add(new JsonObject().put("type", "function_call_output").put("call_id", "c").put("output", "xy"))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "input_text").put("text", "é"))
                .add(new JsonObject().put("type", "input_image").put("image_url", "https://example.com/a.png")))))
        .put("max_output_tokens", 77).put("stream", true);
    RequestFacts facts = scan(Api.RESPONSES, body.encode());
    // 5 + 3 + 4 + 7 + 2 + 2 (é): the image is media, not text
    assertThat(facts.textBytes()).isEqualTo(23);
    assertThat(facts.maxTokens()).isEqualTo(77);
    assertThat(facts.stream()).isTrue();
    assertThat(facts.hasImages()).isTrue();
    assertThat(facts.hasRemoteMedia()).isTrue();
    assertThat(facts.api()).isEqualTo(Api.RESPONSES);
    assertThat(facts.referencesState()).isFalse();
  }

  @Test
  void responsesTakeAStringInputAndTheirContinuationFields() {
    RequestFacts plain = scan(Api.RESPONSES, "{\"input\":\"hello\",\"previous_response_id\":\"resp_1\"}");
    assertThat(plain.textBytes()).isEqualTo(5);
    assertThat(plain.maxTokens()).isEqualTo(-1);
    assertThat(plain.previousResponseId()).isEqualTo("resp_1");
    assertThat(plain.referencesState()).isTrue();
    RequestFacts conversation = scan(Api.RESPONSES, "{\"input\":\"hi\",\"conversation\":{\"id\":\"conv_1\"}}");
    assertThat(conversation.conversation()).isTrue();
    assertThat(scan(Api.RESPONSES, "{\"input\":\"hi\",\"conversation\":null}").referencesState()).isFalse();
    // chat's fields mean nothing here
    assertThat(scan(Api.RESPONSES, "{\"input\":\"hi\",\"max_tokens\":5,\"messages\":[1]}").maxTokens()).isEqualTo(-1);
  }

  @Test
  void responsesRefuseUnknownItemTypesAndMissingInput() {
    ScanException unknown = refused(Api.RESPONSES,
        "{\"input\":[{\"role\":\"user\",\"content\":\"a\"},{\"type\":\"hologram\"}]}");
    assertThat(unknown.getMessage()).isEqualTo("input item 1 has an unknown type 'hologram'");
    assertThat(unknown.param()).isEqualTo("input");
    assertThat(refused(Api.RESPONSES, "{\"input\":[\"text\"]}").getMessage()).contains("must be an object");
    assertThat(refused(Api.RESPONSES, "{\"instructions\":\"x\"}").getMessage()).isEqualTo("'input' is required");
    assertThat(refused(Api.RESPONSES, "{\"input\":\"x\",\"previous_response_id\":3}").param())
        .isEqualTo("previous_response_id");
  }

  @Test
  void messagesCountSystemAndContentBlocksAndRequireMaxTokens() {
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", 64)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "sys")))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "abcd"))
            .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "ef"))
                .add(new JsonObject().put("type", "tool_use").put("id", "t").put("name", "f")
                    .put("input", new JsonObject().put("q", "not counted")))))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "t").put("content", "ghi"))
                .add(new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "url")
                    .put("url", "https://example.com/b.png"))))));
    RequestFacts facts = scan(Api.MESSAGES, body.encode());
    assertThat(facts.textBytes()).isEqualTo(3 + 4 + 2 + 3);
    assertThat(facts.maxTokens()).isEqualTo(64);
    assertThat(facts.messages()).isEqualTo(3);
    assertThat(facts.hasImages()).isTrue();
    assertThat(facts.hasRemoteMedia()).isTrue();
    assertThat(scan(Api.MESSAGES, "{\"system\":\"abc\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"d\"}]}").textBytes()).isEqualTo(4);
    ScanException missing = refused(Api.MESSAGES, "{\"messages\":[{\"role\":\"user\",\"content\":\"d\"}]}");
    assertThat(missing.getMessage()).isEqualTo("'max_tokens' is required");
    assertThat(missing.param()).isEqualTo("max_tokens");
    assertThat(refused(Api.MESSAGES, "{\"max_tokens\":1,\"system\":5,\"messages\":[]}").param()).isEqualTo("system");
  }

  @Test
  void embeddingsCountStringsAndTokenIdsApartAndBoundTheInputs() {
    assertThat(scan(Api.EMBEDDINGS, "{\"input\":\"abc\"}").textBytes()).isEqualTo(3);
    RequestFacts strings = scan(Api.EMBEDDINGS, "{\"input\":[\"ab\",\"cde\"],\"stream\":true}");
    assertThat(strings.textBytes()).isEqualTo(5);
    assertThat(strings.stream()).as("embeddings never stream").isFalse();
    RequestFacts ids = scan(Api.EMBEDDINGS, "{\"input\":[[1,2,3],[4]]}");
    assertThat(ids.tokenIds()).isEqualTo(4);
    assertThat(ids.textBytes()).isZero();
    assertThat(scan(Api.EMBEDDINGS, "{\"input\":[5,6]}").tokenIds()).isEqualTo(2);
    JsonArray many = new JsonArray();
    IntStream.range(0, BodyScanner.MAX_EMBEDDING_INPUTS).forEach(i -> many.add("x"));
    assertThat(scan(Api.EMBEDDINGS, new JsonObject().put("input", many).encode()).textBytes())
        .isEqualTo(BodyScanner.MAX_EMBEDDING_INPUTS);
    ScanException tooMany = refused(Api.EMBEDDINGS, new JsonObject().put("input", many.copy().add("y")).encode());
    assertThat(tooMany.getMessage()).isEqualTo("'input' may hold at most 2048 items");
    assertThat(refused(Api.EMBEDDINGS, "{\"input\":[{\"a\":1}]}").param()).isEqualTo("input");
    assertThat(refused(Api.EMBEDDINGS, "{\"input\":[[1,\"a\"]]}").param()).isEqualTo("input");
    assertThat(refused(Api.EMBEDDINGS, "{\"model\":\"m\"}").getMessage()).isEqualTo("'input' is required");
  }

  @Test
  void completionsTakeTokenIdPrompts() {
    RequestFacts facts = scan(Api.COMPLETIONS, "{\"prompt\":[[1,2],[3,4,5]]}");
    assertThat(facts.tokenIds()).isEqualTo(5);
    assertThat(scan(Api.COMPLETIONS, "{\"prompt\":[7,8,9]}").tokenIds()).isEqualTo(3);
  }

  @Test
  void tokenizeReadsAPromptOrMessagesAndDetokenizeItsTokens() {
    assertThat(scan(Api.TOKENIZE, "{\"prompt\":\"abcd\"}").textBytes()).isEqualTo(4);
    RequestFacts chat = scan(Api.TOKENIZE, "{\"messages\":[{\"role\":\"user\",\"content\":\"abcdef\"}]}");
    assertThat(chat.textBytes()).isEqualTo(6);
    assertThat(chat.messages()).isEqualTo(1);
    assertThat(refused(Api.TOKENIZE, "{\"model\":\"m\"}").getMessage()).isEqualTo("'prompt' or 'messages' is required");
    assertThat(scan(Api.DETOKENIZE, "{\"tokens\":[1,2,3,4]}").tokenIds()).isEqualTo(4);
    assertThat(refused(Api.DETOKENIZE, "{\"tokens\":[\"a\"]}").param()).isEqualTo("tokens");
    assertThat(refused(Api.DETOKENIZE, "{}").param()).isEqualTo("tokens");
  }

  @Test
  void theModelsOffsetsLocateItsStringTokenAndALongNameIsRefused() {
    String body = "{ \"max_tokens\":3, \"model\" : \"llama\", \"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    RequestFacts facts = scan(Api.CHAT, body);
    assertThat(body.substring(facts.modelStart(), facts.modelEnd())).isEqualTo("\"llama\"");
    ScanException tooLong = refused(Api.CHAT, body.replace("llama", "x".repeat(Api.MAX_MODEL_NAME + 1)));
    assertThat(tooLong.param()).isEqualTo("model");
  }
}
