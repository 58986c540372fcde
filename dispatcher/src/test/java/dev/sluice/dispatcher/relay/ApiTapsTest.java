package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.api.Api;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/**
 * The taps of the Responses and Messages APIs read their own usage keys and pass every byte through, whatever the
 * chunking; a Responses answer's id is read from its first {@code "id"} ({@link ResponseIdScanner}). The bodies are
 * laid out as vLLM writes them (compact JSON; events with {@code event:} lines and no {@code [DONE]}).
 */
class ApiTapsTest {

  private static final String RESPONSES_STREAM = ""
      + "event: response.created\ndata: {\"response\":{\"id\":\"resp_abc123\",\"created_at\":1,\"output\":[],"
      + "\"usage\":null},\"sequence_number\":0,\"type\":\"response.created\"}\n\n"
      + "event: response.output_text.delta\ndata: {\"content_index\":0,\"delta\":\" \\\"id\\\": \\\"x\\\" "
      + "input_tokens\",\"item_id\":\"msg_1\",\"output_index\":0,\"sequence_number\":1,"
      + "\"type\":\"response.output_text.delta\"}\n\n"
      + "event: response.completed\ndata: {\"response\":{\"id\":\"resp_abc123\",\"status\":\"completed\","
      + "\"usage\":{\"input_tokens\":42,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":7,"
      + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":49}},\"sequence_number\":2,"
      + "\"type\":\"response.completed\"}\n\n";

  private static final String MESSAGES_STREAM = ""
      + "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"chatcmpl-9\",\"type\":\"message\","
      + "\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"stop_reason\":null,\"stop_sequence\":null,"
      + "\"usage\":{\"input_tokens\":31,\"output_tokens\":0}}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\","
      + "\"text\":\" the\"},\"index\":0}\n\n"
      + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
      + "\"usage\":{\"input_tokens\":31,\"output_tokens\":5}}\n\n"
      + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  /** The id {@code body} starts with, read in pieces of {@code size} bytes. */
  private static String id(String body, int size) {
    ResponseIdScanner ids = new ResponseIdScanner();
    Buffer all = Buffer.buffer(body);
    for (int i = 0; i < all.length(); i += size) {
      ids.feed(all, i, Math.min(all.length(), i + size));
    }
    return ids.value();
  }

  /** Feeds {@code body} in pieces of {@code size} bytes; returns what the tap forwarded. */
  private static String feed(ResponseTap tap, String body, int size) {
    Buffer all = Buffer.buffer(body);
    Buffer out = Buffer.buffer();
    for (int i = 0; i < all.length(); i += size) {
      out.appendBuffer(tap.onChunk(all.getBuffer(i, Math.min(all.length(), i + size))));
    }
    out.appendBuffer(tap.onEnd());
    return out.toString();
  }

  @Test
  void aResponsesStreamGivesItsUsageAndIdWhateverTheChunking() {
    for (int size : new int[] {1, 3, 17, 4096}) {
      ResponseTap tap = ResponseTaps.forResponse(Api.RESPONSES, true, false, true);
      assertThat(feed(tap, RESPONSES_STREAM, size)).isEqualTo(RESPONSES_STREAM);
      assertThat(tap.promptTokens()).as("chunks of %d", size).isEqualTo(42);
      assertThat(tap.completionTokens()).isEqualTo(7);
      assertThat(id(RESPONSES_STREAM, size)).isEqualTo("resp_abc123");
    }
  }

  @Test
  void aMessagesStreamGivesItsUsageAndNoId() {
    for (int size : new int[] {1, 5, 4096}) {
      ResponseTap tap = ResponseTaps.forResponse(Api.MESSAGES, true, false, true);
      assertThat(feed(tap, MESSAGES_STREAM, size)).isEqualTo(MESSAGES_STREAM);
      assertThat(tap.promptTokens()).isEqualTo(31);
      assertThat(tap.completionTokens()).isEqualTo(5);
    }
  }

  @Test
  void plainAnswersOfEachApi() {
    String response = "{\"id\":\"resp_z\",\"object\":\"response\",\"output\":[{\"id\":\"msg_1\",\"content\":[{\"text\":"
        + "\"hi\"}]}],\"usage\":{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":3},"
        + "\"output_tokens\":2,\"total_tokens\":14}}";
    ResponseTap responses = ResponseTaps.forResponse(Api.RESPONSES, false, false, true);
    assertThat(feed(responses, response, 7)).isEqualTo(response);
    assertThat(responses.promptTokens()).isEqualTo(12);
    assertThat(responses.completionTokens()).isEqualTo(2);
    assertThat(id(response, 7)).isEqualTo("resp_z");

    String embeddings = "{\"id\":\"embd-1\",\"object\":\"list\",\"data\":[{\"index\":0,\"object\":\"embedding\","
        + "\"embedding\":[0.1,-0.2]}],\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9,\"completion_tokens\":0,"
        + "\"prompt_tokens_details\":null}}";
    ResponseTap embed = ResponseTaps.forResponse(Api.EMBEDDINGS, false, false, false);
    feed(embed, embeddings, 5);
    assertThat(embed.promptTokens()).isEqualTo(9);

    assertThat(ResponseTaps.forResponse(Api.TOKENIZE, false, false, true)).isSameAs(ResponseTap.NONE);
  }

  @Test
  void anIdTooLongOrEscapedIsNotKept() {
    assertThat(id("{\"id\":\"resp_\\u0041\",\"usage\":{\"input_tokens\":1}}", 3)).isNull();
    assertThat(id("{\"id\":\"" + "r".repeat(ResponseIdScanner.MAX_ID + 1) + "\"}", 64)).isNull();
    assertThat(id("{ \"object\" : \"x\", \"id\" : \"resp_9\" }", 2)).isEqualTo("resp_9");
  }
}
