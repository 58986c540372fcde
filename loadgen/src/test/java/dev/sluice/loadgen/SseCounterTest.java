package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class SseCounterTest {

  private static final String STREAM = "data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: {\"a\":3}\n\ndata: [DONE]\n\n";

  @Test
  void countsEventsButNotDone() {
    SseCounter c = new SseCounter();
    assertThat(c.feed(Buffer.buffer(STREAM))).isEqualTo(3);
  }

  @Test
  void recognisesDone() {
    SseCounter c = new SseCounter();
    c.feed(Buffer.buffer(STREAM));
    assertThat(c.sawDone()).isTrue();
  }

  @Test
  void countsTheSameWhenSplitAtEveryByte() {
    SseCounter c = new SseCounter();
    int total = 0;
    for (int i = 0; i < STREAM.length(); i++) {
      total += c.feed(Buffer.buffer(STREAM.substring(i, i + 1)));
    }
    assertThat(total).isEqualTo(3);
  }

  @Test
  void handlesCarriageReturns() {
    SseCounter c = new SseCounter();
    assertThat(c.feed(Buffer.buffer("data: x\r\n\r\ndata: y\r\n\r\n"))).isEqualTo(2);
  }
}
