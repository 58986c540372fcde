package dev.sluice.dispatcher.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AffinityKeyTest {

  private static final long CACHE_KEY = KeyHash.of("conversation-7");
  private static final long SESSION = KeyHash.of("session-42");
  private static final long USER = KeyHash.of("user-3");
  private static final long PREFIX = KeyHash.of("You are a helpful assistant.");

  @Test
  void promptCacheKeyThenSessionHeaderThenUserThenThePromptsOpening() {
    java.util.concurrent.atomic.AtomicInteger hashed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.LongSupplier opening = () -> {
      hashed.incrementAndGet();
      return PREFIX;
    };
    assertThat(List.of(
        AffinityKey.choose(CACHE_KEY, SESSION, USER, opening),
        AffinityKey.choose(AffinityKey.NONE, SESSION, USER, opening),
        AffinityKey.choose(AffinityKey.NONE, AffinityKey.NONE, USER, opening)))
        .containsExactly(CACHE_KEY, SESSION, USER);
    assertThat(hashed).as("the opening is hashed only when nothing else names the conversation").hasValue(0);
    assertThat(List.of(
        AffinityKey.choose(AffinityKey.NONE, AffinityKey.NONE, AffinityKey.NONE, opening),
        AffinityKey.choose(AffinityKey.NONE, AffinityKey.NONE, AffinityKey.NONE, () -> AffinityKey.NONE)))
        .containsExactly(PREFIX, AffinityKey.NONE);
    assertThat(hashed).hasValue(1);
  }

  /** Byte ranges hash as one key: the same bytes wherever they lie, any length's last partial word included. */
  @Test
  void byteRangesHashTheirBytesWhereverTheyLie() {
    byte[] text = "The quick brown fox jumps over the lazy dog, 日本語".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int len = 0; len <= 24; len++) {
      byte[] shifted = new byte[len + 11];
      System.arraycopy(text, 0, shifted, 11, len);
      long here = KeyHash.ofRanges(text, 0, new int[] {0, len});
      assertThat(KeyHash.ofRanges(shifted, 11, new int[] {0, len})).as("length %d", len).isEqualTo(here);
      assertThat(KeyHash.ofRanges(shifted, 0, new int[] {11, 11 + len})).isEqualTo(here);
      assertThat(here).isNotEqualTo(AffinityKey.NONE);
      seen.add(here);
    }
    assertThat(seen).as("every length its own key, trailing zero bytes included").hasSize(25);
    int n = text.length;
    long two = KeyHash.ofRanges(text, 0, new int[] {0, 10, 20, n});
    assertThat(two).isNotEqualTo(KeyHash.ofRanges(text, 0, new int[] {0, 10}))
        .isNotEqualTo(KeyHash.ofRanges(text, 0, new int[] {0, n}));
    byte[] other = text.clone();
    other[n - 1] ^= 1;
    assertThat(KeyHash.ofRanges(other, 0, new int[] {0, 10, 20, n})).isNotEqualTo(two);
  }

  @Test
  void aTextHashesTheSameWholeFromCharsAndInAnyPiecesAndIsNeverNone() {
    String text = "Bonjour, ça va? 日本語";
    char[] chars = ("xx" + text + "yy").toCharArray();
    KeyHash.Words oneByOne = new KeyHash.Words();
    for (char c : text.toCharArray()) {
      oneByOne.add(c);
    }
    List<Long> hashes = new java.util.ArrayList<>(List.of(KeyHash.of(chars, 2, text.length()), oneByOne.hash()));
    // every split into two runs, whatever their alignment to the four-char words
    for (int cut = 0; cut <= text.length(); cut++) {
      KeyHash.Words pieces = new KeyHash.Words();
      pieces.add(chars, 2, cut);
      pieces.add(chars, 2 + cut, text.length() - cut);
      hashes.add(pieces.hash());
    }
    assertThat(hashes).containsOnly(KeyHash.of(text));
    assertThat(List.of(KeyHash.of(""), KeyHash.of(text))).doesNotContain(AffinityKey.NONE);
    assertThat(KeyHash.of(text)).isNotEqualTo(KeyHash.of(text + " "));
    // a trailing zero char is not the end of the text: the length tells them apart
    assertThat(KeyHash.of("ab")).isNotEqualTo(KeyHash.of("ab\u0000"));
  }
}
