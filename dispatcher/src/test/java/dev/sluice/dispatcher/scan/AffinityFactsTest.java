package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.KeyHash;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the scanner hashes for the affinity key: prompt_cache_key, user and the prompt's first bytes. */
class AffinityFactsTest {

  private static RequestFacts scan(String json, int prefixBytes, int chunk) {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS, prefixBytes);
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < body.length; i += chunk) {
      scanner.feed(Buffer.buffer(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + chunk))));
    }
    return scanner.finish();
  }

  private static String chat(String extra, String system, String user) {
    return "{\"model\":\"m\"" + extra + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + system
        + "\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + user + "\"}]}]}";
  }

  @Test
  void promptCacheKeyAndUserAreHashedAsTheirDecodedText() {
    RequestFacts f = scan(chat(",\"prompt_cache_key\":\"conv-\\u00e9\",\"user\":\"alice\"", "S", "U"), 1024, 7);
    assertThat(new long[] {f.promptCacheKey(), f.user()}).containsExactly(KeyHash.of("conv-é"), KeyHash.of("alice"));
  }

  @Test
  void absentOrNonStringKeysNameNoConversation() {
    RequestFacts f = scan(chat(",\"prompt_cache_key\":null,\"user\":{\"id\":3}", "S", "U"), 1024, 64);
    assertThat(new long[] {f.promptCacheKey(), f.user()}).containsOnly(AffinityKey.NONE);
  }

  /**
   * The prefix runs over the prompt strings in order (system, then the user's text part) and stops at the limit,
   * whatever the chunking; what follows the limit does not change it, what precedes it does.
   */
  @Test
  void thePrefixIsTheFirstBytesOfThePromptTextWhateverTheChunks() {
    String system = "You are a careful assistant. ".repeat(20);   // 580 bytes
    String question = "What is the capital of France? ".repeat(30);  // 930 bytes
    long expected = KeyHash.of((system + question).substring(0, 1024));   // the user's message is not over
    for (int chunk : List.of(1, 13, 8192)) {
      assertThat(scan(chat("", system, question), 1024, chunk).promptPrefix()).isEqualTo(expected);
    }
    assertThat(scan(chat("", system, question + " And of Spain?"), 1024, 64).promptPrefix()).isEqualTo(expected);
    assertThat(scan(chat("", system.replace("careful", "CAREFUL"), question), 1024, 64).promptPrefix())
        .isNotEqualTo(expected);
  }

  /** A conversation's turns repeat its opening, the system prompt and first user message: the prefix ends there. */
  @Test
  void thePrefixEndsWithTheFirstUserMessage() {
    String first = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"content\":\"Hi!\","
        + "\"role\":\"user\"}";
    String turn1 = first + "]}";
    String turn2 = first + ",{\"role\":\"assistant\",\"content\":\"Hello.\"},{\"role\":\"user\",\"content\":"
        + "\"How are you?\"}]}";
    assertThat(List.of(scan(turn1, 1024, 5).promptPrefix(), scan(turn2, 1024, 5).promptPrefix()))
        .containsOnly(KeyHash.of("Be brief.Hi!"));
  }

  @Test
  void aCharacterThatWouldCrossTheLimitIsLeftOut() {
    // "é" is 2 UTF-8 bytes: with a limit of 4, "abc" fits and "é" would end at byte 5
    assertThat(scan(chat("", "abcé", "x"), 4, 64).promptPrefix()).isEqualTo(KeyHash.of("abc"));
    assertThat(scan(chat("", "abcé", "x"), 0, 64).promptPrefix()).isEqualTo(AffinityKey.NONE);
  }
}
