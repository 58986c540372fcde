package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonUsageTapTest {

  private static final String BODY = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"the \\\"prompt_tokens\\\": 5 "
      + "field\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":5012,\"total_tokens\":5030,\"completion_tokens\":18,"
      + "\"prompt_tokens_details\":null}}";

  private static int read(ResponseTap tap, byte[] body, int cut) {
    Buffer a = Buffer.buffer(java.util.Arrays.copyOfRange(body, 0, cut));
    Buffer b = Buffer.buffer(java.util.Arrays.copyOfRange(body, cut, body.length));
    assertThat(tap.onChunk(a)).isSameAs(a);
    assertThat(tap.onChunk(b)).isSameAs(b);
    assertThat(tap.onEnd().length()).isZero();
    return tap.promptTokens();
  }

  @Test
  void readsPromptTokensAtEverySplitPointWithoutCopying() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= body.length; cut++) {
      assertThat(read(new JsonUsageTap(), body, cut)).as("cut %d", cut).isEqualTo(5012);
    }
  }

  @Test
  void readsTheGeneratedTokensAtEverySplitPointToo() {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= body.length; cut++) {
      JsonUsageTap tap = new JsonUsageTap(true);
      assertThat(read(tap, body, cut)).as("cut %d", cut).isEqualTo(5012);
      assertThat(tap.completionTokens()).as("cut %d", cut).isEqualTo(18);
    }
  }

  /**
   * Quote to quote against byte by byte: near misses (a longer key, a quote doubled, the key as escaped text, a key
   * cut by the chunk's end) read the same at every split.
   */
  @Test
  void theQuoteToQuoteScanReadsWhatAByteByByteScanReads() {
    String body = "{\"a\":\"\\\"prompt_tokens\\\": 1\",\"prompt_tokens_details\":{\"x\":2},\"b\":\"\","
        + "\"\"prompt_tokens\": 9,\"c\":\"\"\"\"\"\"\"\"\"prompt_tokens\" :\n 31}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    java.util.Set<Integer> seen = new java.util.TreeSet<>();
    for (int end = 0; end <= bytes.length; end++) {
      UsageNumberScanner oneByOne = new UsageNumberScanner(UsageNumberScanner.PROMPT_TOKENS);
      for (int i = 0; i < end; i++) {
        oneByOne.feed(bytes[i]);
      }
      oneByOne.end();
      seen.add(oneByOne.value());
      for (int cut = 0; cut <= end; cut++) {
        UsageNumberScanner scanner = new UsageNumberScanner(UsageNumberScanner.PROMPT_TOKENS);
        scanner.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut)), 0, cut);
        scanner.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, cut, end)), 0, end - cut);
        scanner.end();
        assertThat(scanner.value()).as("end %d, cut %d", end, cut).isEqualTo(oneByOne.value());
      }
    }
    // what the body's prefixes read: nothing, then the doubled quote's key, then the last one (and its digits)
    assertThat(seen).containsExactly(-1, 3, 9, 31);
  }

  /**
   * Several keys in one pass read what one scanner per key reads byte by byte: random runs of the keys, their near
   * misses (a key cut short, a longer key, doubled quotes, escaped text, a colon missing) and numbers, each split at
   * every point.
   */
  @Test
  void severalKeysInOnePassReadWhatOneScanPerKeyReads() {
    byte[][] keys = {UsageNumberScanner.PROMPT_TOKENS, UsageNumberScanner.INPUT_TOKENS,
        UsageNumberScanner.COMPLETION_TOKENS};
    String[] pieces = {"\"prompt_tokens\"", "\"input_tokens\"", "\"completion_tokens\"", "\"prompt_tok", "\"input_",
        "\"prompt_tokens_details\"", "\"\"", "\"", "\\\"input_tokens\\\"", ":", " : ", "\n", "12", "7", "x", ",", "{", "}"};
    java.util.Random random = new java.util.Random(16);
    for (int body = 0; body < 300; body++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(24); n > 0; n--) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      int[] expected = new int[keys.length];
      for (int k = 0; k < keys.length; k++) {
        UsageNumberScanner one = new UsageNumberScanner(keys[k]);
        for (byte b : bytes) {
          one.feed(b);
        }
        one.end();
        expected[k] = one.value();
      }
      for (int cut = 0; cut <= bytes.length; cut++) {
        UsageNumberScanner all = new UsageNumberScanner(keys);
        all.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut)), 0, cut);
        all.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, cut, bytes.length)), 0, bytes.length - cut);
        all.end();
        for (int k = 0; k < keys.length; k++) {
          assertThat(all.value(k)).as("%s cut %d key %d", text, cut, k).isEqualTo(expected[k]);
        }
      }
    }
  }

  @Test
  void fallsBackToInputTokens() {
    byte[] body = "{\"usage\": {\"input_tokens\": 321, \"output_tokens\": 9}}".getBytes(StandardCharsets.UTF_8);
    assertThat(read(new JsonUsageTap(), body, 20)).isEqualTo(321);
  }

  @Test
  void noUsageIsMinusOne() {
    byte[] body = "{\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThat(read(new JsonUsageTap(), body, 3)).isEqualTo(-1);
  }

  @Test
  void choosesTheTapByStreamAndInjection() {
    assertThat(ResponseTaps.forResponse(false, false)).isInstanceOf(JsonUsageTap.class);
    byte[] stream = ("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\n\ndata: [DONE]\n\n")
        .getBytes(StandardCharsets.UTF_8);
    ResponseTap injected = ResponseTaps.forResponse(true, true);
    assertThat(injected.onChunk(Buffer.buffer(stream)).toString()).isEqualTo("data: [DONE]\n\n");
    ResponseTap asked = ResponseTaps.forResponse(true, false);
    assertThat(asked.onChunk(Buffer.buffer(stream)).length()).isEqualTo(stream.length);
    assertThat(asked.promptTokens()).isEqualTo(3);
  }
}
