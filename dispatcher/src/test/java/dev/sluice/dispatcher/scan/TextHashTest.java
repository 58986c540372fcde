package dev.sluice.dispatcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.balance.KeyHash;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The opening's hash over any split of mixed text is {@link KeyHash#of} of the text that fits the byte limit. */
class TextHashTest {

  /** The longest start of {@code text} of at most {@code limit} UTF-8 bytes that does not cut a surrogate pair. */
  private static String fitting(String text, int limit) {
    int end = 0;
    while (end < text.length()) {
      int next = Character.isHighSurrogate(text.charAt(end)) ? end + 2 : end + 1;
      if (text.substring(0, next).getBytes(StandardCharsets.UTF_8).length > limit) {
        break;
      }
      end = next;
    }
    return text.substring(0, end);
  }

  @Test
  void anySplitOfMixedTextHashesAsTheWholeThatFits() {
    String[] pieces = {"The river ", "河川", "é", "😀", "  runs ", "東京の", "x", "\t", "日本語のテキスト", "abc"};
    Random rnd = new Random(7);
    for (int trial = 0; trial < 500; trial++) {
      StringBuilder text = new StringBuilder();
      for (int k = rnd.nextInt(12); k >= 0; k--) {
        text.append(pieces[rnd.nextInt(pieces.length)]);
      }
      int limit = 1 + rnd.nextInt(80);
      char[] chars = text.toString().toCharArray();
      TextHash hash = new TextHash(limit);
      for (int from = 0; from < chars.length; ) {
        int len = Math.min(chars.length - from, 1 + rnd.nextInt(9));
        hash.write(chars, from, len);
        from += len;
      }
      String expected = fitting(text.toString(), limit);
      assertThat(hash.hash()).as("%s within %d bytes", text, limit)
          .isEqualTo(expected.isEmpty() ? dev.sluice.dispatcher.balance.AffinityKey.NONE : KeyHash.of(expected));
    }
  }
}
