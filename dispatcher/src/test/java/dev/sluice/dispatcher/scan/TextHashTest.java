package dev.sluice.dispatcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A key field's hash over any split of mixed text, as Jackson's runs hand it over, is {@link KeyHash#of} of the text. */
class TextHashTest {

  @Test
  void anySplitOfMixedTextHashesAsTheWhole() {
    String[] pieces = {"The river ", "河川", "é", "😀", "  runs ", "東京の", "x", "\t", "日本語のテキスト", "abc"};
    Random rnd = new Random(7);
    TextHash hash = new TextHash();
    for (int trial = 0; trial < 500; trial++) {
      StringBuilder text = new StringBuilder();
      for (int k = rnd.nextInt(12); k >= 0; k--) {
        text.append(pieces[rnd.nextInt(pieces.length)]);
      }
      char[] chars = text.toString().toCharArray();
      hash.reset();
      for (int from = 0; from < chars.length; ) {
        int len = Math.min(chars.length - from, 1 + rnd.nextInt(9));
        if (len == 1 && rnd.nextBoolean()) {
          hash.write(chars[from]);
        } else {
          hash.write(chars, from, len);
        }
        from += len;
      }
      assertThat(hash.hash()).as("%s", text).isEqualTo(KeyHash.of(text));
    }
    hash.reset();
    assertThat(hash.hash()).isEqualTo(AffinityKey.NONE);
  }
}
