package dev.sluice.dispatcher.relay;

import static dev.sluice.dispatcher.relay.StreamHeadTest.DONE;
import static dev.sluice.dispatcher.relay.StreamHeadTest.GENERATION_ERROR;
import static dev.sluice.dispatcher.relay.StreamHeadTest.ROLE;
import static dev.sluice.dispatcher.relay.StreamHeadTest.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseErrorWatchTest {

  private static SseErrorWatch watch(String stream, int... cuts) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    SseErrorWatch w = new SseErrorWatch(16 * 1024);
    int from = 0;
    for (int cut : cuts) {
      w.feed(Buffer.buffer(Arrays.copyOfRange(bytes, from, cut)));
      from = cut;
    }
    w.feed(Buffer.buffer(Arrays.copyOfRange(bytes, from, bytes.length)));
    w.end();
    return w;
  }

  /** vLLM's stream when the engine fails the request after two tokens. */
  @Test
  void findsTheErrorEventWhereverTheStreamIsCut() {
    String stream = ROLE + TOKEN + TOKEN + GENERATION_ERROR + DONE;
    List<Integer> wrong = new ArrayList<>();
    for (int cut = 0; cut <= stream.length(); cut++) {
      SseErrorWatch w = watch(stream, cut);
      if (!w.sawError() || w.error() == null || w.error().kind() != StreamError.Kind.SERVER) {
        wrong.add(cut);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void findsItFedOneByteAtATimeAndWithCrlf() {
    String stream = (ROLE + TOKEN + GENERATION_ERROR + DONE).replace("\n", "\r\n");
    int[] cuts = new int[stream.length() - 1];
    Arrays.setAll(cuts, i -> i + 1);

    SseErrorWatch w = watch(stream, cuts);

    assertThat(new Object[] {w.sawError(), w.error().status()}).containsExactly(true, 500);
  }

  @Test
  void anAnswerThatTalksAboutErrorsIsNoErrorEvent() {
    String talk = TOKEN.replace("\" the\"", "\"data: {\\\"error\\\": 1}\"");

    SseErrorWatch w = watch(ROLE + talk + "data: {\"id\":\"x\",\"error\":null}\n\n" + DONE, 50);

    assertThat(new Object[] {w.sawError(), w.error()}).containsExactly(false, null);
  }

  @Test
  void anErrorLineCutByTheEndOfTheStreamIsStillRead() {
    SseErrorWatch w = watch(TOKEN + GENERATION_ERROR.strip());

    assertThat(w.error().message()).isEqualTo("Internal server error");
  }

  @Test
  void anErrorLineLongerThanTheLimitIsSeenButNotRead() {
    SseErrorWatch w = new SseErrorWatch(32);
    w.feed(Buffer.buffer(TOKEN + GENERATION_ERROR + DONE));

    assertThat(new Object[] {w.sawError(), w.error()}).containsExactly(true, null);
  }

  @Test
  void slicedAndDirectChunksAreReadLikeHeapOnes() {
    byte[] stream = (TOKEN + GENERATION_ERROR + DONE).getBytes(StandardCharsets.UTF_8);
    byte[] padded = new byte[stream.length + 9];
    System.arraycopy(stream, 0, padded, 4, stream.length);
    SseErrorWatch sliced = new SseErrorWatch(16 * 1024);
    sliced.feed(Buffer.buffer(padded).slice(4, 4 + stream.length));
    sliced.end();
    SseErrorWatch direct = new SseErrorWatch(16 * 1024);
    direct.feed(io.vertx.core.internal.buffer.BufferInternal.buffer(
        io.netty.buffer.Unpooled.directBuffer(stream.length).writeBytes(stream)));
    direct.end();
    assertThat(List.of(sliced.error().status(), direct.error().status())).containsExactly(500, 500);
  }

  @Test
  void findsTheErrorEventsOfTheResponsesAndMessagesApis() {
    String responses = "event: response.output_text.delta\ndata: {\"delta\":\" the\",\"type\":"
        + "\"response.output_text.delta\"}\n\nevent: error\ndata: {\"type\":\"error\",\"code\":\"server_error\","
        + "\"message\":\"engine failed\",\"param\":null,\"sequence_number\":5}\n\n";
    String messages = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":"
        + "\"text_delta\",\"text\":\" the\"},\"index\":0}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":"
        + "{\"type\":\"internal_error\",\"message\":\"engine failed\"}}\n\n";
    for (String stream : List.of(responses, messages)) {
      for (int cut = 0; cut <= stream.length(); cut += 7) {
        SseErrorWatch w = watch(stream, cut);
        assertThat(w.sawError()).as(stream).isTrue();
        assertThat(w.error().message()).isEqualTo("engine failed");
      }
    }
    // an ordinary event whose first key is "type" is no error
    assertThat(watch("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", 9).sawError()).isFalse();
  }
}
