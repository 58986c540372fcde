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

  /** The opening's key: its hash in the body the scanner read, as the relay takes it. */
  private static long opening(String json, int prefixBytes, int chunk) {
    return scan(json, prefixBytes, chunk).opening().hash(Buffer.buffer(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** The body bytes of {@code text}'s first occurrence in {@code json} from {@code from}: start and end offset. */
  private static int[] at(String json, String text, int from) {
    int start = json.indexOf(text, from);
    int offset = json.substring(0, start).getBytes(StandardCharsets.UTF_8).length;
    return new int[] {offset, offset + text.getBytes(StandardCharsets.UTF_8).length};
  }

  /**
   * The opening runs over the prompt strings' bytes in order (system, then the user's text part) and stops at the
   * limit, whatever the chunking; what follows the limit does not change it, what precedes it does.
   */
  @Test
  void theOpeningIsTheFirstBytesOfThePromptStringsWhateverTheChunks() {
    String system = "You are a careful assistant. ".repeat(20);   // 580 bytes
    String question = "What is the capital of France? ".repeat(30);  // 930 bytes
    String json = chat("", system, question);
    int[] s = at(json, system, 0);
    int[] q = at(json, question, s[1]);
    long expected = KeyHash.ofRanges(json.getBytes(StandardCharsets.UTF_8), 0,
        new int[] {s[0], s[1], q[0], q[0] + 1024 - 580});   // the user's message is not over
    for (int chunk : List.of(1, 13, 8192)) {
      assertThat(opening(json, 1024, chunk)).isEqualTo(expected);
    }
    assertThat(opening(chat("", system, question + " And of Spain?"), 1024, 64)).isEqualTo(expected);
    assertThat(opening(chat(",\"temperature\":0.2", system, question), 1024, 64))
        .as("the same opening elsewhere in the body").isEqualTo(expected);
    assertThat(opening(chat("", system.replace("careful", "CAREFUL"), question), 1024, 64)).isNotEqualTo(expected);
  }

  /** A conversation's turns repeat its opening, the system prompt and first user message: the opening ends there. */
  @Test
  void theOpeningEndsWithTheFirstUserMessage() {
    String first = "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"content\":\"Hi!\","
        + "\"role\":\"user\"}";
    String turn1 = first + "]}";
    String turn2 = first + ",{\"role\":\"assistant\",\"content\":\"Hello.\"},{\"role\":\"user\",\"content\":"
        + "\"How are you?\"}]}";
    int[] s = at(turn1, "Be brief.", 0);
    int[] u = at(turn1, "Hi!", 0);
    long expected = KeyHash.ofRanges(turn1.getBytes(StandardCharsets.UTF_8), 0, new int[] {s[0], s[1], u[0], u[1]});
    assertThat(List.of(opening(turn1, 1024, 5), opening(turn2, 1024, 5), opening(turn2, 1024, 4096)))
        .containsOnly(expected);
  }

  /** The bytes as sent, escapes as written: a client repeats them byte for byte in every turn. */
  @Test
  void theOpeningIsTheStringsAsWrittenEscapesIncluded() {
    String escaped = chat("", "caf\\u00e9 \\\"menu\\\"", "x");
    int[] s = at(escaped, "caf\\u00e9 \\\"menu\\\"", 0);
    int[] x = at(escaped, "x", s[1]);
    assertThat(opening(escaped, 1024, 3)).isEqualTo(
        KeyHash.ofRanges(escaped.getBytes(StandardCharsets.UTF_8), 0, new int[] {s[0], s[1], x[0], x[1]}));
    assertThat(opening(escaped, 1024, 3)).isNotEqualTo(opening(chat("", "café \\\"menu\\\"", "x"), 1024, 3));
  }

  @Test
  void theLimitCutsTheBytesWhereverItFalls() {
    // "é" is 2 UTF-8 bytes: with a limit of 4 the opening is "abc" and the first of them
    String json = chat("", "abcé", "x");
    int[] s = at(json, "abcé", 0);
    RequestFacts four = scan(json, 4, 64);
    assertThat(four.opening().bytes()).isEqualTo(4);
    assertThat(opening(json, 4, 1)).isEqualTo(
        KeyHash.ofRanges(json.getBytes(StandardCharsets.UTF_8), 0, new int[] {s[0], s[0] + 4}));
    assertThat(scan(json, 0, 64).opening()).isSameAs(Opening.NONE);
    assertThat(opening(json, 0, 64)).isEqualTo(AffinityKey.NONE);
  }

  /** An opening of many text parts is cut after the first {@value Opening#MAX_RANGES}, the same way every turn. */
  @Test
  void anOpeningOfManyPartsEndsAfterTheFirstSixteen() {
    java.util.function.IntFunction<String> parts = changed -> {
      StringBuilder b = new StringBuilder("{\"messages\":[{\"role\":\"user\",\"content\":[");
      for (int i = 0; i < 20; i++) {
        b.append(i == 0 ? "" : ",").append("{\"type\":\"text\",\"text\":\"part ").append(i)
            .append(i == changed ? " changed" : "").append("\"}");
      }
      return b.append("]}]}").toString();
    };
    String plain = parts.apply(-1);
    assertThat(scan(plain, 1024, 64).opening().bytes()).isEqualTo("part 0".length() * 10 + "part 10".length() * 6);
    assertThat(opening(parts.apply(18), 1024, 64)).isEqualTo(opening(plain, 1024, 64));
    assertThat(opening(parts.apply(3), 1024, 64)).isNotEqualTo(opening(plain, 1024, 64));
  }

  /** An off-heap body (a direct buffer) gives the same key as a heap one. */
  @Test
  void anOffHeapBodyHashesAlike() {
    String json = chat("", "You are terse.", "Name three rivers.");
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    io.netty.buffer.ByteBuf direct = io.netty.buffer.Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    try {
      Buffer offHeap = io.vertx.core.internal.buffer.BufferInternal.buffer(direct);
      assertThat(scan(json, 1024, 7).opening().hash(offHeap)).isEqualTo(opening(json, 1024, 7))
          .isNotEqualTo(AffinityKey.NONE);
    } finally {
      direct.release();
    }
  }
}
