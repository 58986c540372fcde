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
  void promptCacheKeyThenSessionHeaderThenUserThenThePromptsPrefix() {
    assertThat(List.of(
        AffinityKey.choose(CACHE_KEY, SESSION, USER, PREFIX),
        AffinityKey.choose(AffinityKey.NONE, SESSION, USER, PREFIX),
        AffinityKey.choose(AffinityKey.NONE, AffinityKey.NONE, USER, PREFIX),
        AffinityKey.choose(AffinityKey.NONE, AffinityKey.NONE, AffinityKey.NONE, PREFIX),
        AffinityKey.choose(AffinityKey.NONE, AffinityKey.NONE, AffinityKey.NONE, AffinityKey.NONE)))
        .containsExactly(CACHE_KEY, SESSION, USER, PREFIX, AffinityKey.NONE);
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
