package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.relay.StreamHead.Verdict;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The head of a 2xx stream, fed vLLM's own bytes: chunks serialized by {@code model_dump_json} and the error
 * event by {@code json.dumps} (with its {@code ", "} and {@code ": "} separators), as
 * {@code vllm/entrypoints/openai/chat_completion/serving.py} writes them.
 */
class StreamHeadTest {
  static final String ROLE = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
      + "\"logprobs\":null,\"finish_reason\":null}],\"prompt_token_ids\":null}\n\n";
  static final String TOKEN = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the\"},\"logprobs\":null,"
      + "\"finish_reason\":null}]}\n\n";
  /** {@code _convert_generation_error_to_streaming_response}: the engine finished the request with "error". */
  static final String GENERATION_ERROR = "data: {\"error\": {\"message\": \"Internal server error\", "
      + "\"type\": \"InternalServerError\", \"param\": null, \"code\": 500}}\n\n";
  static final String DONE = "data: [DONE]\n\n";

  private static Buffer buf(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
  }

  private static StreamHead head() {
    return new StreamHead(16 * 1024);
  }

  @Test
  void anErrorAsTheFirstEventIsAFailedTry() {
    StreamHead h = head();

    Verdict v = h.offer(buf(GENERATION_ERROR + DONE));

    assertThat(new Object[] {v, h.error().kind(), h.error().status(), h.error().message(), h.error().failure()})
        .containsExactly(Verdict.ERROR, StreamError.Kind.SERVER, 500, "Internal server error",
            FailureKind.UPSTREAM_STREAM_ERROR);
  }

  /** vLLM writes the role chunk before it reads the first output's finish reason. */
  @Test
  void theRoleChunkThenAnErrorIsAFailedTry() {
    StreamHead h = head();

    assertThat(List.of(h.offer(buf(ROLE)), h.offer(buf(GENERATION_ERROR + DONE)))).containsExactly(Verdict.MORE,
        Verdict.ERROR);
    assertThat(h.held().toString()).isEqualTo(ROLE + GENERATION_ERROR + DONE);
  }

  @Test
  void theRoleChunkThenATokenIsAnAnswer() {
    StreamHead h = head();

    assertThat(List.of(h.offer(buf(ROLE)), h.offer(buf(TOKEN)))).containsExactly(Verdict.MORE, Verdict.DATA);
    assertThat(new Object[] {h.held().toString(), h.error()}).containsExactly(ROLE + TOKEN, null);
  }

  @Test
  void aChunkThatDecidesAloneIsHeldWithoutACopy() {
    Buffer chunk = buf(ROLE + TOKEN);
    StreamHead h = head();

    assertThat(h.offer(chunk)).isEqualTo(Verdict.DATA);
    assertThat(h.held()).isSameAs(chunk);
  }

  @Test
  void theVerdictDoesNotDependOnWhereTheStreamIsCut() {
    List<String> wrong = new ArrayList<>();
    for (String stream : List.of(ROLE + GENERATION_ERROR + DONE, ROLE + TOKEN + DONE, GENERATION_ERROR + DONE)) {
      Verdict expected = stream.contains("\"error\"") ? Verdict.ERROR : Verdict.DATA;
      byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
      for (int cut = 1; cut < bytes.length; cut++) {
        StreamHead h = head();
        Verdict v = h.offer(Buffer.buffer(Arrays.copyOfRange(bytes, 0, cut)));
        if (v == Verdict.MORE) {
          v = h.offer(Buffer.buffer(Arrays.copyOfRange(bytes, cut, bytes.length)));
        }
        if (v != expected || !h.held().toString().equals(stream.substring(0, h.held().length()))) {
          wrong.add(stream.substring(0, 12) + "@" + cut + "=" + v);
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void crlfAndCrLineEndsEndEventsToo() {
    for (String eol : List.of("\r\n", "\r")) {
      StreamHead h = head();
      String role = ROLE.replace("\n\n", eol + eol);
      String error = GENERATION_ERROR.replace("\n\n", eol + eol);
      assertThat(List.of(h.offer(buf(role)), h.offer(buf(error)))).as(eol.length() + "-byte eol")
          .containsExactly(Verdict.MORE, Verdict.ERROR);
    }
  }

  @Test
  void commentsAndEventsWithoutDataArePassedOver() {
    StreamHead h = head();

    Verdict v = h.offer(buf(": keep-alive\n\nevent: ping\n\n" + GENERATION_ERROR));

    assertThat(v).isEqualTo(Verdict.ERROR);
  }

  @Test
  void anErrorEventCutShortByTheEndOfTheStreamIsStillRead() {
    StreamHead h = head();
    h.offer(buf(GENERATION_ERROR.strip()));

    assertThat(List.of(h.end(), h.error().kind())).containsExactly(Verdict.ERROR, StreamError.Kind.SERVER);
  }

  @Test
  void anEmptyStreamIsAnAnswer() {
    assertThat(head().end()).isEqualTo(Verdict.DATA);
  }

  @Test
  void aCompletionsChunkOrDoneIsAnAnswer() {
    String text = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"text\":\" the\",\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    assertThat(List.of(head().offer(buf(text)), head().offer(buf(DONE)))).containsOnly(Verdict.DATA);
  }

  @Test
  void pastTheLimitWithoutADecisionTheStreamIsAnAnswer() {
    StreamHead h = new StreamHead(64);

    assertThat(List.of(h.offer(buf(": " + "x".repeat(40))), h.offer(buf("y".repeat(40)))))
        .containsExactly(Verdict.MORE, Verdict.DATA);
  }

  @Test
  void dataThatOnlyLooksLikeAnErrorIsAnAnswer() {
    assertThat(head().offer(buf("data: {\"error\": not json}\n\n"))).isEqualTo(Verdict.DATA);
  }

  /** SGLang streams its length check (tokenizer_manager.py) as an error event on a 200: a misroute. */
  @Test
  void aContextLengthErrorEventNamesTheContextItNeeds() {
    StreamHead h = head();

    h.offer(buf("data: {\"error\": {\"object\": \"error\", \"message\": \"The input (9000 tokens) is longer than the "
        + "model's context length (8192 tokens).\", \"type\": \"BadRequestError\", \"param\": null, \"code\": 400}}"
        + "\n\n" + DONE));

    assertThat(new Object[] {h.error().kind(), h.error().contextLength().minimumContext(), h.error().failure()})
        .containsExactly(StreamError.Kind.CONTEXT_LENGTH, 9001L, FailureKind.CONTEXT_LENGTH_EXCEEDED);
  }

  @Test
  void aMessagesStreamThatOpensWithAnErrorEventIsAFailedTry() {
    StreamHead h = head();
    Verdict v = h.offer(buf("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"internal_error\","
        + "\"message\":\"engine failed\"}}\n\n"));
    assertThat(List.of(v, h.error().message())).containsExactly(Verdict.ERROR, "engine failed");
    StreamHead ok = head();
    assertThat(ok.offer(buf("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n")))
        .isEqualTo(Verdict.DATA);
  }
}
