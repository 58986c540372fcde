package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EngineTest {

  /** base 1 ms, 10 us per prefill token, 100 us per decoding sequence, no context term: easy arithmetic. */
  private static final CostModel SIMPLE = new CostModel("simple", 1_000, 10, 100, 0);

  /** A 64K instance with vLLM's A100 defaults (256 sequences, 2,048-token steps) and the shipped KV cache. */
  private static final PoolShape A100 = shape(65536, 256, 65536, 2048);

  private static PoolShape shape(int maxModelLen, int maxNumSeqs, int blocks, int budget) {
    return new PoolShape("test", maxModelLen, maxNumSeqs, blocks, budget, 16);
  }

  /** Records every event as a line, so two runs can be compared and assertions can look at order. */
  private static final class Log implements EngineListener {
    final List<String> events = new ArrayList<>();
    final Map<Long, List<Integer>> tokens = new HashMap<>();
    final List<RequestTimes> finished = new ArrayList<>();
    final List<Long> preempted = new ArrayList<>();
    final List<Long> preemptTimes = new ArrayList<>();
    long resumedHits;

    @Override
    public void onToken(long id, int index, long t) {
      events.add("token " + id + " " + index + " @" + t);
      tokens.computeIfAbsent(id, k -> new ArrayList<>()).add(index);
    }

    @Override
    public void onFinish(RequestTimes times) {
      events.add("finish " + times);
      finished.add(times);
    }

    @Override
    public void onPreempt(long id, long t) {
      events.add("preempt " + id + " @" + t);
      preempted.add(id);
      preemptTimes.add(t);
    }

    RequestTimes of(long id) {
      return finished.stream().filter(t -> t.id() == id).findFirst().orElseThrow();
    }
  }

  @Test
  void singleRequestTimesFollowTheCostModel() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, log);
    e.submit(0, 1, 100, 5);
    e.drain();
    RequestTimes t = log.finished.get(0);
    long prefill = 1_000_000 + 100 * 10_000;   // base + 100 prompt tokens
    long decode = 1_000_000 + 100_000;         // base + one decoding sequence
    assertThat(new long[] {t.ttftNanos(), t.e2eNanos()}).containsExactly(prefill, prefill + 4 * decode);
  }

  @Test
  void longPromptIsPrefilledInChunksOfTheTokenBudget() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, log);
    e.submit(0, 1, 1200, 1);
    e.drain();
    // 512 + 512 + 176 tokens: three steps, each paying the base once
    assertThat(log.finished.get(0).ttftNanos()).isEqualTo(3 * 1_000_000L + 1200 * 10_000L);
  }

  @Test
  void maxNumSeqsCapsTheRunningBatch() {
    Engine e = new Engine(shape(4096, 2, 1000, 512), SIMPLE, null);
    for (int i = 0; i < 5; i++) {
      e.submit(0, i, 10, 3);
    }
    e.nextStepEnd();
    assertThat(new int[] {e.running(), e.waiting()}).containsExactly(2, 3);
  }

  @Test
  void arrivalsOfTheSameInstantShareTheFirstStep() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, log);
    e.submit(0, 1, 10, 1);
    e.submit(0, 2, 10, 1);
    e.drain();
    assertThat(log.finished.get(0).finishNanos()).isEqualTo(log.finished.get(1).finishNanos());
  }

  @Test
  void anArrivalDuringAStepWaitsForTheNextStep() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, log);
    e.submit(0, 1, 10, 1);
    long end = e.nextStepEnd();
    e.submit(end / 2, 2, 10, 1);
    e.drain();
    assertThat(log.finished.get(1).firstTokenNanos()).isEqualTo(end + 1_000_000L + 10 * 10_000L);
  }

  /**
   * Two sequences of 64 prompt tokens in 10 blocks of 16. Each holds 4 blocks after prefill and grows one token
   * per step; at 80 computed tokens both hold 5 blocks, none free. The step that needs the 81st slot of the
   * oldest sequence preempts the newest one: that is after 17 output tokens each, never earlier.
   */
  @Test
  void preemptionHappensExactlyWhenKvBlocksRunOut() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 10, 512), SIMPLE, log);
    e.submit(0, 1, 64, 40);
    e.submit(0, 2, 64, 40);
    long end;
    while ((end = e.nextStepEnd()) != Long.MAX_VALUE && log.preempted.isEmpty()) {
      assertThat(e.usedBlocks()).isLessThanOrEqualTo(10);
      e.advanceTo(end);
    }
    assertThat(List.of(log.preempted, log.tokens.get(1L).size(), log.tokens.get(2L).size()))
        .containsExactly(List.of(2L), 17, 17);
  }

  @Test
  void noPreemptionWhenTheCacheHoldsBothSequences() {
    Engine e = new Engine(shape(4096, 8, 14, 512), SIMPLE, null);
    e.submit(0, 1, 64, 40);
    e.submit(0, 2, 64, 40);
    e.drain();
    assertThat(e.preemptionsTotal()).isZero();
  }

  @Test
  void preemptedSequenceResumesWithoutRepeatingTokens() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 10, 512), SIMPLE, log);
    e.submit(0, 1, 64, 40);
    e.submit(0, 2, 64, 40);
    e.drain();
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      expected.add(i);
    }
    assertThat(log.tokens.get(2L)).isEqualTo(expected);
    assertThat(log.finished).extracting(RequestTimes::preemptions).containsExactly(0, 1);
  }

  @Test
  void preemptedSequenceGoesToTheHeadOfTheWaitingQueue() {
    Log log = new Log();
    // room for two running sequences; a third waits behind them and must not overtake the preempted one
    Engine e = new Engine(shape(4096, 8, 10, 512), SIMPLE, log);
    e.submit(0, 1, 64, 40);
    e.submit(0, 2, 64, 40);
    e.submit(0, 3, 64, 40);
    e.drain();
    assertThat(log.finished).extracting(RequestTimes::id).startsWith(1L, 2L);
  }

  @Test
  void sameCallsGiveTheSameEvents() {
    assertThat(randomRun(7).events).isEqualTo(randomRun(7).events);
  }

  @Test
  void randomLoadFinishesEveryRequestAndAccountsTokens() {
    Log log = randomRun(11);
    long outputs = log.finished.stream().mapToLong(RequestTimes::outputTokens).sum();
    long tokenEvents = log.tokens.values().stream().mapToLong(List::size).sum();
    assertThat(new long[] {log.finished.size(), tokenEvents}).containsExactly(300, outputs);
  }

  @Test
  void randomLoadUnderKvPressurePreempts() {
    assertThat(randomRun(11).preempted).isNotEmpty();
  }

  /**
   * Blocks kept as counts and runs (the engine for requests by counts) give exactly what blocks kept one by one
   * give (the engine for token ids), preemptions and the resumes that find their cached blocks included, with the
   * admission gate and without it, with aborts of running and of preempted requests.
   */
  @Test
  void blocksKeptAsCountsBehaveAsBlocksKeptOneByOne() {
    PoolShape tight = shape(2048, 16, 200, 256);
    for (PoolShape s : List.of(tight, tight.withReserveFullIsl(false))) {
      Log counted = randomRun(11, s, false, true);
      Log content = randomRun(11, s, true, true);
      assertThat(counted.resumedHits).as("resumed hits").isPositive();
      assertThat(counted.resumedHits).isEqualTo(content.resumedHits);
      assertThat(counted.events).isEqualTo(content.events);
    }
  }

  private static Log randomRun(long seed) {
    return randomRun(seed, shape(2048, 16, 200, 256), false, false);
  }

  private static Log randomRun(long seed, PoolShape shape, boolean byContent, boolean aborts) {
    Log log = new Log();
    Engine e = byContent ? Engine.byTokenIds(shape, CostModel.GPU, log) : new Engine(shape, CostModel.GPU, log);
    SplittableRandom rnd = new SplittableRandom(seed);
    long t = 0;
    for (int i = 0; i < 300; i++) {
      t += rnd.nextLong(5_000_000);
      e.submit(t, i, 1 + rnd.nextInt(1500), 1 + rnd.nextInt(400));
      if (aborts && i % 37 == 36) {
        e.abort(i - 5 - rnd.nextInt(20));   // running, waiting or preempted, or already finished
      }
      assertThat(e.usedBlocks()).isBetween(0, 200);
    }
    e.drain();
    assertThat(e.usedBlocks()).isZero();
    log.resumedHits = e.resumedPrefixCacheHitsTotal();
    return log;
  }

  @Test
  void abortFreesTheBlocksAtTheNextStepBoundary() {
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, null);
    e.submit(0, 1, 100, 50);
    e.advanceTo(e.nextStepEnd());
    long end = e.nextStepEnd();
    e.abort(1);
    int whileStepRuns = e.usedBlocks();
    e.advanceTo(end);
    assertThat(new int[] {whileStepRuns, e.usedBlocks(), e.running()}).containsExactly(7, 0, 0);
  }

  @Test
  void abortedSequenceGetsNoMoreTokens() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, log);
    e.submit(0, 1, 100, 50);
    e.advanceTo(e.nextStepEnd());
    e.nextStepEnd();
    e.abort(1);
    e.drain();
    assertThat(log.tokens.get(1L)).containsExactly(0);
  }

  @Test
  void abortOfAWaitingRequestRemovesIt() {
    Engine e = new Engine(shape(4096, 1, 1000, 512), SIMPLE, null);
    e.submit(0, 1, 10, 5);
    e.submit(0, 2, 10, 5);
    e.nextStepEnd();
    e.abort(2);
    assertThat(e.waiting()).isZero();
  }

  @Test
  void countersTrackTokensAndQueues() {
    Engine e = new Engine(shape(4096, 8, 1000, 512), SIMPLE, null);
    e.submit(0, 1, 100, 5);
    e.submit(0, 2, 30, 7);
    e.drain();
    assertThat(new long[] {e.promptTokensTotal(), e.generationTokensTotal(), e.finishedTotal(), e.running(),
        e.waiting()}).containsExactly(130, 12, 2, 0, 0);
  }

  @Test
  void requestOverMaxModelLenIsRefused() {
    Engine e = new Engine(shape(1024, 8, 1000, 512), SIMPLE, null);
    assertThatThrownBy(() -> e.submit(0, 1, 1000, 25)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void instantTimingFinishesAtTheArrivalInstant() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 8, 1000, 512), CostModel.INSTANT, log);
    e.submit(5_000, 1, 100, 20);
    e.drain();
    assertThat(log.finished.get(0).finishNanos()).isEqualTo(5_000);
  }

  @Test
  void namedShapesComeFromConfMock() throws Exception {
    PoolShape s = PoolShape.named("short");
    PoolShape l = PoolShape.named("long");
    assertThat(new long[] {s.maxModelLen(), s.maxNumSeqs(), l.maxModelLen(), l.maxNumSeqs(), s.kvTokens()})
        .containsExactly(8192, 128, 65536, 16, l.kvTokens());
  }

  @Test
  void shippedShapesTakeVllmsA100DefaultsForWhatTheyDoNotSay() throws Exception {
    for (String name : List.of("short", "long", "homogeneous")) {
      PoolShape s = PoolShape.named(name);
      assertThat(List.of(s.gpu(), s.maxNumBatchedTokens(), s.reserveFullIsl(), s.startupError() == null))
          .as(name).containsExactly(GpuClass.A100_80GB, 2048, true, true);
    }
  }

  // ---- V1 rules on crafted block budgets ---------------------------------------------------------------

  /**
   * Three sequences of 64 prompt tokens (4 blocks each) in 15 blocks, a slot cap of 3 and a fourth request
   * waiting. All three grow a fifth block, then the oldest needs a sixth and none is free: V1 preempts the
   * newest running sequence (3, not 2), and in that step admits nobody, although a slot and the fourth
   * request's one block are free.
   */
  @Test
  void theNewestRunningSequenceIsPreemptedAndNoOneIsAdmittedInThatStep() {
    Log log = new Log();
    Engine e = new Engine(shape(4096, 3, 15, 512), SIMPLE, log);
    for (int id = 1; id <= 3; id++) {
      e.submit(0, id, 64, 40);
    }
    e.submit(0, 4, 16, 5);
    long end = e.nextStepEnd();
    while (log.preempted.isEmpty()) {
      e.advanceTo(end);
      end = e.nextStepEnd();
    }
    // the step that preempted is in flight: 1 and 2 run, 3 went back to the head of the queue before 4
    assertThat(List.of(log.preempted, e.running(), e.waiting(), 15 - e.usedBlocks()))
        .containsExactly(List.of(3L), 2, 2, 3);
    int resumedAt = log.tokens.get(3L).size();
    e.drain();
    // first come, first served: the preempted sequence resumes before the request that waited behind it starts
    int resumed = log.events.indexOf(log.events.stream().filter(x -> x.startsWith("token 3 " + resumedAt + " "))
        .findFirst().orElseThrow());
    int fourth = log.events.indexOf(log.events.stream().filter(x -> x.startsWith("token 4 0 ")).findFirst()
        .orElseThrow());
    assertThat(resumed).isLessThan(fourth);
  }

  /**
   * 20 blocks; sequence 1 (160 prompt tokens) runs and holds 10 or more. Sequence 2 (200 prompt tokens, 13
   * blocks) arrives. Its first 64-token chunk fits, its whole prompt does not: with vLLM's full-sequence gate
   * it waits for sequence 1 to finish and nobody is preempted; without it, it is admitted on its first chunk
   * and preempted mid-prefill when the blocks run out.
   */
  @Test
  void theFullSequenceGateWaitsWhereFirstChunkAdmissionPreempts() {
    PoolShape tight = shape(4096, 8, 20, 64);
    Log gated = twoSequences(tight);
    Log chunked = twoSequences(tight.withReserveFullIsl(false));
    RequestTimes first = gated.finished.get(0);
    RequestTimes second = gated.finished.get(1);
    assertThat(List.of(gated.preempted.size(), first.id(), second.firstTokenNanos() > first.finishNanos()))
        .containsExactly(0, 1L, true);
    assertThat(chunked.preempted).contains(2L);
  }

  private static Log twoSequences(PoolShape shape) {
    Log log = new Log();
    Engine e = new Engine(shape, SIMPLE, log);
    e.submit(0, 1, 160, 60);
    e.advanceTo(e.nextStepEnd());
    e.advanceTo(e.nextStepEnd());
    e.advanceTo(e.nextStepEnd());
    e.submit(e.now(), 2, 200, 20);
    e.drain();
    return log;
  }

  /**
   * Two sequences of 64 prompt tokens in 10 blocks, with a 32-token budget: the newer one is preempted after 17
   * tokens each (see above). It comes back with 81 tokens, 6 blocks, while only 4 are free until the older one
   * finishes. With the gate it waits and is preempted once; admitted on its first 32-token chunk (2 blocks) it
   * is preempted again and again as the two grow. Without prefix caching: with it, the resume's cached blocks
   * count among those its first chunk takes, which alone keeps it waiting here.
   */
  @Test
  void aPreemptedSequenceIsReadmittedOnlyWhenItsWholeSequenceFits() {
    PoolShape tight = shape(4096, 8, 10, 32).withPrefixCaching(false);
    List<Integer> preemptions = new ArrayList<>();
    for (PoolShape s : List.of(tight, tight.withReserveFullIsl(false))) {
      Log log = new Log();
      Engine e = new Engine(s, SIMPLE, log);
      e.submit(0, 1, 64, 40);
      e.submit(0, 2, 64, 40);
      e.drain();
      preemptions.add(log.preempted.size());
    }
    assertThat(preemptions.get(0)).isEqualTo(1);
    assertThat(preemptions.get(1)).isGreaterThan(1);
  }

  @Test
  void vllmsRefusalOfABudgetBelowTheSlotCount() {
    assertThatThrownBy(() -> new Engine(shape(4096, 512, 1000, 256), SIMPLE, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max_num_batched_tokens (256) must be greater than or equal to max_num_seqs (512)");
    assertThat(shape(4096, 256, 1000, 256).startupError()).isNull();
  }

  // ---- chunked prefill shares steps with decodes ----------------------------------------------------------

  /**
   * On the gpu profile with vLLM's A100 budget of 2,048 tokens, a 200-token request alone gets its first token
   * after one ~28 ms step. Behind a 32K prompt that arrived 1 ms earlier, the running prefill takes the whole
   * budget of every step and the short request waits for its last chunk: its TTFT is the long prefill's.
   */
  @Test
  void aShortRequestBehindALongPrefillWaitsForIt() {
    Log log = new Log();
    Engine e = new Engine(A100, CostModel.GPU, log);
    e.submit(0, 1, 32768, 10);
    e.submit(1_000_000, 2, 200, 10);
    e.drain();
    long alone = CostModel.GPU.aloneTtftNanos(200, 2048);
    long shortTtft = log.of(2).ttftNanos();
    long longTtft = log.of(1).ttftNanos();
    assertThat(shortTtft).isGreaterThan(50 * alone).isGreaterThan(longTtft - 300_000_000L);
  }

  /** A decoding request shares each step with the long prefill's chunk: its gaps grow from ~8 ms to ~200 ms. */
  @Test
  void aDecodingRequestSlowsToTheLongPrefillsChunkSteps() {
    List<Long> times = new ArrayList<>();
    EngineListener gaps = new EngineListener() {
      @Override
      public void onToken(long id, int index, long t) {
        if (id == 1) {
          times.add(t);
        }
      }
    };
    Engine e = new Engine(A100, CostModel.GPU, gaps);
    e.submit(0, 1, 100, 40);
    for (int i = 0; i < 10; i++) {
      e.advanceTo(e.nextStepEnd());
    }
    e.submit(e.now(), 2, 20000, 5);
    e.drain();
    long before = times.get(5) - times.get(4);
    long during = times.get(15) - times.get(14);
    assertThat(before).isLessThan(10_000_000L);
    assertThat(during).isGreaterThan(20 * before);
  }

  @Test
  void aloneTimesAreWhatTheEngineGivesARequestOnItsOwn() {
    Log log = new Log();
    Engine e = new Engine(A100, CostModel.GPU, log);
    e.submit(0, 1, 5000, 300);
    e.drain();
    RequestTimes t = log.of(1);
    assertThat(new long[] {t.ttftNanos(), t.e2eNanos()}).containsExactly(CostModel.GPU.aloneTtftNanos(5000, 2048),
        CostModel.GPU.aloneE2eNanos(5000, 300, 2048));
  }
}
