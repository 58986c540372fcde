package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** vLLM V1's automatic prefix caching in the engine: block hashing, reuse, eviction and the two counters. */
class PrefixCacheTest {

  /** base 1 ms, 10 us per prefill token, 100 us per decoding sequence, no context term. */
  private static final CostModel SIMPLE = new CostModel("simple", 1_000, 10, 100, 0);
  private static final int[] OUTPUT = {900, 901, 902};

  private static PoolShape shape(int blocks) {
    return new PoolShape("test", 4096, 8, blocks, 512, 16);
  }

  private static int[] range(int from, int count) {
    return IntStream.range(from, from + count).toArray();
  }

  private static TokenIds ids(int[] prompt) {
    return new TokenIds(prompt, OUTPUT);
  }

  /** Submits a request now and runs the engine until it is idle again. */
  private static void alone(Engine e, long id, TokenIds tokens, int output) {
    e.submit(e.now(), id, tokens, output);
    e.drain();
  }

  private static final class Finished implements EngineListener {
    final List<RequestTimes> times = new ArrayList<>();
    final List<Long> preempted = new ArrayList<>();

    @Override
    public void onFinish(RequestTimes t) {
      times.add(t);
    }

    @Override
    public void onPreempt(long id, long timeNanos) {
      preempted.add(id);
    }

    RequestTimes of(long id) {
      return times.stream().filter(t -> t.id() == id).findFirst().orElseThrow();
    }
  }

  /**
   * 100 prompt tokens are 6 full blocks and 4 tokens. The same prompt again finds the 6 blocks and prefills only
   * the 4 tokens: its first token comes after base + 4 prefill tokens instead of base + 100.
   */
  @Test
  void aRepeatedPromptReusesItsFullBlocksAndPrefillsOnlyTheRest() {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(1000), SIMPLE, log);
    int[] prompt = range(1, 100);
    alone(e, 1, ids(prompt), 2);
    alone(e, 2, ids(prompt), 2);
    assertThat(List.of(log.of(1).cachedTokens(), log.of(2).cachedTokens())).containsExactly(0, 96);
    assertThat(List.of(log.of(1).ttftNanos(), log.of(2).ttftNanos()))
        .containsExactly(1_000_000L + 100 * 10_000L, 1_000_000L + 4 * 10_000L);
    assertThat(new long[] {e.prefixCacheQueriesTotal(), e.prefixCacheHitsTotal()}).containsExactly(200, 96);
  }

  /** When every prompt token is cached the last block is computed again: its logits give the first token. */
  @Test
  void aFullyCachedPromptRecomputesItsLastBlock() {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(1000), SIMPLE, log);
    alone(e, 1, ids(range(1, 64)), 1);
    alone(e, 2, ids(range(1, 64)), 1);
    assertThat(log.of(2).cachedTokens()).isEqualTo(48);
  }

  /**
   * A block's hash covers everything before it: prompts equal up to token 40 share 2 blocks, and prompts that
   * differ only in their first token share none although their later tokens agree.
   */
  @Test
  void sharingStopsAtTheFirstBlockThatDiffers() {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(1000), SIMPLE, log);
    int[] base = range(1, 100);
    int[] tail = base.clone();
    tail[40] = -7;
    int[] head = base.clone();
    head[0] = -7;
    alone(e, 1, ids(base), 1);
    e.submit(e.now(), 2, ids(tail), 1);
    e.submit(e.now(), 3, ids(head), 1);
    e.drain();
    assertThat(List.of(log.of(2).cachedTokens(), log.of(3).cachedTokens())).containsExactly(32, 0);
  }

  /**
   * A conversation's next turn is its last prompt, the answer and a new message. The answer's blocks were cached
   * as it was generated, except for its last token, which was sampled and never computed. 50 prompt tokens and
   * 31 answer tokens leave 80 computed: the next turn finds 5 full blocks. With a 30-token answer only 79 are
   * computed and it finds 4.
   */
  @Test
  void theNextTurnFindsThePreviousPromptAndItsAnswer() {
    assertThat(List.of(nextTurnHit(31), nextTurnHit(30))).containsExactly(80, 64);
  }

  private static int nextTurnHit(int answer) {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(1000), SIMPLE, log);
    int[] first = range(1, 50);
    alone(e, 1, ids(first), answer);
    int[] next = new int[50 + answer + 20];
    System.arraycopy(first, 0, next, 0, 50);
    for (int j = 0; j < answer; j++) {
      next[50 + j] = OUTPUT[j % OUTPUT.length];
    }
    System.arraycopy(range(500, 20), 0, next, 50 + answer, 20);
    alone(e, 2, ids(next), 5);
    return log.of(2).cachedTokens();
  }

  /**
   * Two requests with one prompt admitted in the same step: the second finds the blocks the first was given (V1
   * caches a block when it is scheduled), so the 100-token prefix is held once: 7 blocks plus the second's own
   * last one, not 14.
   */
  @Test
  void twoRequestsOfOnePrefixHoldItsBlocksOnce() {
    Engine e = Engine.byTokenIds(shape(1000), SIMPLE, null);
    e.submit(0, 1, ids(range(1, 100)), 5);
    e.submit(0, 2, ids(range(1, 100)), 5);
    e.nextStepEnd();
    assertThat(new long[] {e.usedBlocks(), e.prefixCacheHitsTotal()}).containsExactly(8, 96);
  }

  /**
   * 10 blocks. A and B (64 tokens, 4 blocks each) run and finish; C needs 4 blocks: the 2 never used, then the
   * 2 least recently freed, which are A's last two (a finished sequence's blocks are freed last to first). A
   * again finds its first 2 blocks and takes 2 more, again the least recently freed: B's last two. So B again
   * finds its first 2.
   */
  @Test
  void theLeastRecentlyFreedBlocksAreEvictedTailFirst() {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(10), SIMPLE, log);
    alone(e, 1, ids(range(1, 64)), 1);
    alone(e, 2, ids(range(1000, 64)), 1);
    alone(e, 3, ids(range(2000, 64)), 1);
    assertThat(e.cachedBlocks()).isEqualTo(10);
    alone(e, 4, ids(range(1, 64)), 1);
    alone(e, 5, ids(range(1000, 64)), 1);
    assertThat(List.of(log.of(4).cachedTokens(), log.of(5).cachedTokens())).containsExactly(32, 32);
  }

  @Test
  void withoutPrefixCachingNothingIsFoundOrCounted() {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(1000).withPrefixCaching(false), SIMPLE, log);
    alone(e, 1, ids(range(1, 100)), 2);
    alone(e, 2, ids(range(1, 100)), 2);
    assertThat(List.of(log.of(2).cachedTokens(), log.of(2).ttftNanos())).containsExactly(0, 2_000_000L);
    assertThat(new long[] {e.prefixCacheQueriesTotal(), e.prefixCacheHitsTotal(), e.cachedBlocks()})
        .containsExactly(0, 0, 0);
  }

  /** Requests submitted by counts have content of their own: the same counts never share a block. */
  @Test
  void requestsByCountAloneShareNothing() {
    Finished log = new Finished();
    Engine e = Engine.byTokenIds(shape(1000), SIMPLE, log);
    e.submit(0, 1, 100, 2);
    e.drain();
    e.submit(e.now(), 2, 100, 2);
    e.drain();
    assertThat(new long[] {log.of(2).cachedTokens(), e.prefixCacheQueriesTotal(), e.prefixCacheHitsTotal()})
        .containsExactly(0, 200, 0);
  }

  /**
   * A preempted sequence's full blocks stay cached and its resume finds what was not evicted meanwhile. 12
   * blocks, two sequences of 64 + 60 tokens: each holds 6 blocks at 96 tokens, then the older one needs a
   * seventh and the newer one is preempted with 97 tokens. The older one takes 2 of its freed blocks (its tail,
   * least recently freed) as it grows to 124 tokens and finishes; the resume finds the other 4 (64 tokens) and
   * prefills 33 tokens instead of 97. vLLM counts resumed lookups apart from new requests'.
   */
  @Test
  void aPreemptedSequenceFindsItsCachedBlocksWhenItResumes() {
    List<Long> e2e = new ArrayList<>();
    for (boolean caching : new boolean[] {true, false}) {
      Finished log = new Finished();
      Engine e = Engine.byTokenIds(shape(12).withPrefixCaching(caching), SIMPLE, log);
      e.submit(0, 1, 64, 60);
      e.submit(0, 2, 64, 60);
      e.drain();
      assertThat(log.preempted).containsExactly(2L);
      e2e.add(log.of(2).e2eNanos());
      if (caching) {
        assertThat(new long[] {e.resumedPrefixCacheQueriesTotal(), e.resumedPrefixCacheHitsTotal(),
            e.prefixCacheQueriesTotal(), e.prefixCacheHitsTotal(), log.of(2).cachedTokens()})
            .containsExactly(97, 64, 128, 0, 0);
      }
    }
    assertThat(e2e.get(1) - e2e.get(0)).isEqualTo(64 * 10_000L);
  }
}
