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
}
