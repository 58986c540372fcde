package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Each API's answers as vLLM writes them ({@link VllmShapes}), whole and split at every byte. */
class ResponseScanTest {

  /** The scan's findings after the whole text: text events, input, output, ended, failed. */
  private record Seen(int events, long input, long output, boolean ended, boolean failed) {
  }

  private static Seen whole(Api api, boolean stream, String text) {
    ResponseScan scan = new ResponseScan(api, stream);
    scan.status(200);
    int events = scan.feed(Buffer.buffer(text));
    return new Seen(events, scan.inputTokens(), scan.outputTokens(), scan.ended(), scan.failed());
  }

  private static Seen byteByByte(Api api, boolean stream, String text) {
    ResponseScan scan = new ResponseScan(api, stream);
    scan.status(200);
    int events = 0;
    Buffer all = Buffer.buffer(text);
    for (int i = 0; i < all.length(); i++) {
      events += scan.feed(all.slice(i, i + 1));
    }
    return new Seen(events, scan.inputTokens(), scan.outputTokens(), scan.ended(), scan.failed());
  }

  private static void reads(Api api, boolean stream, String text, Seen expected) {
    assertThat(whole(api, stream, text)).as("whole").isEqualTo(expected);
    assertThat(byteByByte(api, stream, text)).as("a byte at a time").isEqualTo(expected);
  }

  @Test
  void aChatStreamCountsItsRoleAndTokenChunksButNotTheUsageChunk() {
    reads(Api.CHAT, true, VllmShapes.CHAT_STREAM, new Seen(3, 31, 2, true, false));
  }

  @Test
  void aCompletionsStreamReadsTheSameWay() {
    String stream = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" a\"}]}"
        + "\n\ndata: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
        + "\"total_tokens\":6,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
    reads(Api.COMPLETIONS, true, stream, new Seen(1, 5, 1, true, false));
  }

  @Test
  void aResponsesStreamCountsOnlyTextDeltasAndReadsTheUsageOfItsCompletion() {
    reads(Api.RESPONSES, true, VllmShapes.RESPONSES_STREAM, new Seen(2, 29, 2, true, false));
  }

  @Test
  void aMessagesStreamCountsContentDeltasAndTakesTheLastOutputCount() {
    reads(Api.MESSAGES, true, VllmShapes.MESSAGES_STREAM, new Seen(3, 27, 3, true, false));
  }

  @Test
  void carriageReturnsAndSpacedJsonReadTheSame() {
    String spaced = VllmShapes.CHAT_STREAM.replace("\n", "\r\n").replace("\":", "\": ").replace("\"choices\": []",
        "\"choices\": [ ]");
    reads(Api.CHAT, true, spaced, new Seen(3, 31, 2, true, false));
  }

  @Test
  void aStreamCutBeforeItsEndIsNotEnded() {
    String cut = VllmShapes.MESSAGES_STREAM.substring(0, VllmShapes.MESSAGES_STREAM.indexOf("event: message_delta"));
    reads(Api.MESSAGES, true, cut, new Seen(3, 27, 0, false, false));
    String cutChat = VllmShapes.CHAT_STREAM.substring(0, VllmShapes.CHAT_STREAM.indexOf("data: [DONE]"));
    reads(Api.CHAT, true, cutChat, new Seen(3, 31, 2, false, false));
  }

  @Test
  void nonStreamedAnswersAreSearchedForTheirUsage() {
    reads(Api.EMBEDDINGS, false, VllmShapes.EMBEDDINGS_BODY, new Seen(0, 12, -1, false, false));
    reads(Api.MESSAGES, false, "{\"id\":\"chatcmpl-1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":"
        + "\"text\",\"text\":\" \\\"input_tokens\\\":7\"}],\"model\":\"m\",\"stop_reason\":\"max_tokens\",\"usage\":"
        + "{\"input_tokens\":21,\"output_tokens\":4}}", new Seen(0, 21, 4, false, false));
    reads(Api.RESPONSES, false, "{\"id\":\"resp_1\",\"max_output_tokens\":256,\"status\":\"completed\",\"usage\":"
        + "{\"input_tokens\":8,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":5,"
        + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":13}}", new Seen(0, 8, 5, false, false));
  }

  @Test
  void anErrorEventInAChatStreamFailsItAndNamesItsType() {
    String stream = VllmShapes.CHAT_STREAM.substring(0, VllmShapes.CHAT_STREAM.indexOf("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat."
        + "completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" fox"))
        + "data: {\"error\": {\"message\": \"Internal server error\", \"type\": \"InternalServerError\", \"param\": null, "
        + "\"code\": 500}}\n\ndata: [DONE]\n\n";
    ResponseScan scan = new ResponseScan(Api.CHAT, true);
    scan.status(200);
    assertThat(scan.feed(Buffer.buffer(stream))).isEqualTo(2);
    assertThat(scan.failed()).isTrue();
    assertThat(scan.errorType()).isEqualTo("InternalServerError");
  }

  @Test
  void anErrorEventInAMessagesStreamFailsItAndNamesItsType() {
    String stream = VllmShapes.MESSAGES_STREAM.substring(0, VllmShapes.MESSAGES_STREAM.indexOf("event: content_block_stop"))
        + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"internal_error\",\"message\":\"boom\"}}\n\n";
    for (int split = 1; split < stream.length(); split += 7) {
      ResponseScan scan = new ResponseScan(Api.MESSAGES, true);
      scan.status(200);
      int events = scan.feed(Buffer.buffer(stream.substring(0, split))) + scan.feed(Buffer.buffer(stream.substring(split)));
      assertThat(events).isEqualTo(3);
      assertThat(scan.failed()).isTrue();
      assertThat(scan.ended()).isFalse();
      assertThat(scan.errorType()).as("split at %d", split).isEqualTo("internal_error");
    }
  }

  @Test
  void aFailedResponseNamesItsCode() {
    ResponseScan scan = new ResponseScan(Api.RESPONSES, true);
    scan.status(200);
    scan.feed(Buffer.buffer("event: response.failed\ndata: {\"response\":{\"id\":\"resp_1\",\"status\":\"failed\","
        + "\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}},\"sequence_number\":3,\"type\":"
        + "\"response.failed\"}\n\n"));
    assertThat(scan.failed()).isTrue();
    assertThat(scan.errorType()).isEqualTo("server_error");
  }

  @Test
  void aResponsesErrorEventOrAnErrorObjectUnderAnotherNameFailsTheStream() {
    String opening = VllmShapes.RESPONSES_STREAM.substring(0, VllmShapes.RESPONSES_STREAM.indexOf(
        "event: response.output_text.delta"));
    java.util.function.Function<String, ResponseScan> scanned = stream -> {
      ResponseScan scan = new ResponseScan(Api.RESPONSES, true);
      scan.status(200);
      scan.feed(Buffer.buffer(opening + stream));
      return scan;
    };
    ResponseScan named = scanned.apply("event: error\ndata: {\"code\":\"server_error\",\"message\":\"boom\","
        + "\"param\":null,\"sequence_number\":4,\"type\":\"error\"}\n\n");
    assertThat(named.failed()).isTrue();
    assertThat(named.errorType()).isEqualTo("server_error");
    ResponseScan bare = scanned.apply("event: response.output_text.delta\ndata: {\"error\":{\"message\":\"boom\","
        + "\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}\n\n");
    assertThat(bare.failed()).isTrue();
    assertThat(bare.errorType()).isEqualTo("InternalServerError");
  }

  @Test
  void aRefusalKeepsItsBodyAndNamesItsTypeInEitherShape() {
    ResponseScan openAi = new ResponseScan(Api.CHAT, false);
    openAi.status(400);
    openAi.feed(Buffer.buffer("{\"error\":{\"message\":\"max_tokens=9000 cannot be greater than max_model_len\","));
    openAi.feed(Buffer.buffer("\"type\":\"BadRequestError\",\"param\":\"max_tokens\",\"code\":400}}"));
    assertThat(openAi.errorType()).isEqualTo("BadRequestError");
    assertThat(openAi.inputTokens()).isEqualTo(-1);
    ResponseScan anthropic = new ResponseScan(Api.MESSAGES, true);
    anthropic.status(404);
    assertThat(anthropic.feed(Buffer.buffer("{\"type\":\"error\",\"error\":{\"type\":\"NotFoundError\",\"message\":"
        + "\"The model `x` does not exist.\"}}"))).isZero();
    assertThat(anthropic.errorType()).isEqualTo("NotFoundError");
    ResponseScan notJson = new ResponseScan(Api.CHAT, false);
    notJson.status(502);
    notJson.feed(Buffer.buffer("<html>bad gateway</html>"));
    assertThat(notJson.errorType()).isNull();
  }
}
