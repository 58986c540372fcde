package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTest {

  private static int naive(byte[] a, int from, int to, byte target) {
    for (int i = from; i < to; i++) {
      if (a[i] == target) {
        return i;
      }
    }
    return -1;
  }

  /** The eight-bytes-a-step search finds the first LF or CR exactly, wherever it sits and whatever surrounds it. */
  @Test
  void theLineBreakSearchAgreesWithAByteByByteOne() {
    Random rnd = new Random(7);
    byte[] alphabet = {'\n', '\r', (byte) 0x8A, 0x0C, 0, (byte) 0xFF, 'a', ' ', 0x0B, 0x09, 0x0E, (byte) 0x8D};
    List<String> wrong = new ArrayList<>();
    for (int round = 0; round < 2000; round++) {
      byte[] a = new byte[1 + rnd.nextInt(40)];
      for (int i = 0; i < a.length; i++) {
        a[i] = rnd.nextInt(4) == 0 ? alphabet[rnd.nextInt(alphabet.length)] : (byte) ('b' + rnd.nextInt(20));
      }
      int from = rnd.nextInt(a.length);
      int to = from + rnd.nextInt(a.length - from + 1);
      int expected = -1;
      for (int i = from; i < to; i++) {
        if (a[i] == '\n' || a[i] == '\r') {
          expected = i;
          break;
        }
      }
      if (Bytes.lineBreak(a, from, to) != expected) {
        wrong.add(Arrays.toString(a) + " " + from + ".." + to);
      }
    }
    assertThat(wrong).isEmpty();
  }

  private static int naiveLast(byte[] a, int from, int to, byte target) {
    for (int i = to - 1; i >= from; i--) {
      if (a[i] == target) {
        return i;
      }
    }
    return -1;
  }

  /** Word-at-a-time searches against byte-by-byte ones, for every range of arrays with few and many hits. */
  @Test
  void findsTheFirstTargetInEveryRangeAsAByteByByteSearchDoes() {
    Random random = new Random(42);
    for (int density : new int[] {2, 9, 40, 1000}) {
      byte[] a = new byte[70];
      for (int i = 0; i < a.length; i++) {
        // a byte one below and one above the target, and 0x80 and 0xA2 (the target with its high bit): every
        // borrow that could fake a hit in a word
        a[i] = random.nextInt(density) == 0 ? (byte) '"'
            : new byte[] {'!', '#', (byte) 0x80, (byte) 0xA2, 'a', 0}[random.nextInt(6)];
      }
      for (int from = 0; from <= a.length; from++) {
        for (int to = from; to <= a.length; to++) {
          assertThat(Bytes.indexOf(a, from, to, (byte) '"')).as("density %d [%d, %d)", density, from, to)
              .isEqualTo(naive(a, from, to, (byte) '"'));
          assertThat(Bytes.lastIndexOf(a, from, to, (byte) '"')).as("last, density %d [%d, %d)", density, from, to)
              .isEqualTo(naiveLast(a, from, to, (byte) '"'));
        }
      }
    }
  }

  @Test
  void searchesInTheBuffersOwnIndicesWhateverItsPlaceInTheArray() {
    byte[] whole = "xxxxxxxxxxxx{\"id\":\"a\",\"usage\":{}}".getBytes(StandardCharsets.US_ASCII);
    Buffer slice = Buffer.buffer(whole).slice(12, whole.length);
    Bytes bytes = Bytes.of(slice);
    assertThat(bytes.indexOf((byte) '"', 0, slice.length())).isEqualTo(1);
    assertThat(bytes.indexOf((byte) '"', 2, slice.length())).isEqualTo(4);
    assertThat(bytes.indexOf((byte) '}', 0, slice.length())).isEqualTo(slice.length() - 2);
    assertThat(bytes.indexOf((byte) 'q', 0, slice.length())).isEqualTo(-1);
    assertThat(bytes.lastIndexOf((byte) '"', 0, slice.length())).isEqualTo(slice.length() - 5);
    assertThat(bytes.lastIndexOf((byte) '{', 0, 10)).isEqualTo(0);
    assertThat(bytes.lineBreak(0, slice.length())).isEqualTo(-1);
  }
}
