package dev.sluice.dispatcher.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineBufferTest {

  @Test
  void numbersAreWrittenAsJavaWritesThem() {
    long[] values = {0, 7, 9, 10, 99, 100, 12345, -1, -10, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
        1764801000123L};
    LineBuffer b = new LineBuffer(4);
    for (long v : values) {
      assertThat(b.clear().num(v).toString()).isEqualTo(Long.toString(v));
    }
  }

  @Test
  void controlCharactersQuotesAndBackslashesAreEscaped() {
    String s = "a\"b\\c\nd\te\u0000f\u001fg/h";

    String written = new LineBuffer(4).jsonString(s).toString();

    assertThat(written).isEqualTo("\"a\\\"b\\\\c\\u000ad\\u0009e\\u0000f\\u001fg/h\"");
    assertThat(new JsonArray("[" + written + "]").getString(0)).isEqualTo(s);
  }

  @Test
  void everyOtherCharIsEncodedAsJavasUtf8EncoderEncodesIt() {
    // one-, two-, three- and four-byte characters, and lone surrogates of both kinds, which Java writes as '?'
    String s = "plain é ß ü 東京 한국어 \uD83D\uDE80 \uD83E\uDD16 lone \uD800 x \uDC00 end \uD83D";
    byte[] expected = ("\"" + s + "\"").getBytes(StandardCharsets.UTF_8);

    assertThat(bytesOf(new LineBuffer(1).jsonString(s))).isEqualTo(expected);
  }

  @Test
  void randomTextRoundTripsThroughAJsonParser() {
    Random random = new Random(42);
    LineBuffer b = new LineBuffer(8);
    for (int round = 0; round < 2_000; round++) {
      StringBuilder text = new StringBuilder();
      int n = random.nextInt(40);
      for (int i = 0; i < n; i++) {
        int kind = random.nextInt(4);
        int cp = switch (kind) {
          case 0 -> random.nextInt(0x80);
          case 1 -> 0x80 + random.nextInt(0x780);
          case 2 -> 0xE000 + random.nextInt(0x1000);
          default -> 0x10000 + random.nextInt(0x1000);
        };
        text.appendCodePoint(cp);
      }
      String s = text.toString();
      b.clear().ascii('[').jsonString(s).ascii(']');
      assertThat(new JsonArray(b.toString()).getString(0)).as("round %d", round).isEqualTo(s);
      assertThat(bytesOf(b.clear().jsonString(s))).isEqualTo(quotedUtf8(s));
    }
  }

  @Test
  void aLineGrowsPastItsFirstCapacity() {
    LineBuffer b = new LineBuffer(16);
    String longText = "x".repeat(10_000);

    b.ascii("{\"k\":").jsonString(longText).ascii('}');

    assertThat(b.length()).isEqualTo(10_000 + 8);
    assertThat(b.toString()).isEqualTo("{\"k\":\"" + longText + "\"}");
  }

  private static byte[] bytesOf(LineBuffer b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      b.writeTo(out);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  /** What a JSON string of {@code s} is when {@code s} needs no escapes beyond control characters. */
  private static byte[] quotedUtf8(String s) {
    StringBuilder escaped = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        escaped.append('\\').append(c);
      } else if (c < 0x20) {
        escaped.append(String.format("\\u%04x", (int) c));
      } else {
        escaped.append(c);
      }
    }
    return escaped.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }
}
