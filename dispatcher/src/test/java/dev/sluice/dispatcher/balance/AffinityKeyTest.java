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
  void aTextHashesTheSameWholeFromCharsAndStepByStepAndIsNeverNone() {
    String text = "Bonjour, ça va? 日本語";
    char[] chars = ("xx" + text + "yy").toCharArray();
    long state = KeyHash.START;
    for (char c : text.toCharArray()) {
      state = KeyHash.step(state, c);
    }
    assertThat(List.of(KeyHash.of(chars, 2, text.length()), KeyHash.finish(state))).containsOnly(KeyHash.of(text));
    assertThat(List.of(KeyHash.of(""), KeyHash.of(text))).doesNotContain(AffinityKey.NONE);
    assertThat(KeyHash.of(text)).isNotEqualTo(KeyHash.of(text + " "));
  }
}
