package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
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

  /** Word-at-a-time search against a byte-by-byte one, for every range of arrays with few and many hits. */
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
        }
      }
    }
  }

  @Test
  void searchesInTheBuffersOwnIndicesWhateverItsPlaceInTheArray() {
    byte[] whole = "xxxxxxxxxxxx{\"id\":\"a\",\"usage\":{}}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Buffer slice = Buffer.buffer(whole).slice(12, whole.length);
    Bytes bytes = Bytes.of(slice);
    assertThat(bytes.indexOf((byte) '"', 0, slice.length())).isEqualTo(1);
    assertThat(bytes.indexOf((byte) '"', 2, slice.length())).isEqualTo(4);
    assertThat(bytes.indexOf((byte) '}', 0, slice.length())).isEqualTo(slice.length() - 2);
    assertThat(bytes.indexOf((byte) 'q', 0, slice.length())).isEqualTo(-1);
  }
}
