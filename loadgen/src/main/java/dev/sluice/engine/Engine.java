package dev.sluice.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * A discrete-time model of one vLLM (V1 scheduler) instance: continuous batching, chunked prefill, paged KV
 * cache allocated on demand, automatic prefix caching and preemption by recompute. Time is virtual (nanoseconds)
 * and only moves when the caller says so, so the same model drives the live mock (wall clock, scaled) and the
 * planner's discrete-event simulation. Each rule and the vLLM source it follows: docs/engine-model.md.
 *
 * <p>One step at a time is in flight. A step's batch is chosen when it starts and its tokens appear when it
 * ends, {@link CostModel#stepNanos} later. Scheduling per step, as V1's {@code Scheduler.schedule} does it:
 * <ol>
 *   <li>Running sequences, oldest first, each take {@code min(remaining uncomputed tokens, token budget)}
 *       tokens (one for a decoding sequence, a prefill chunk otherwise). KV blocks of {@code blockSize} tokens
 *       are allocated to cover the computed length after the step. When the free pool is short, the newest
 *       running sequence is preempted (blocks freed, progress discarded, pushed to the head of the waiting
 *       queue) until the allocation fits or the sequence being scheduled is itself the one preempted; then no
 *       later running sequence is scheduled this step.</li>
 *   <li>Only if nothing was preempted this step, waiting sequences are admitted in order while the budget, a
 *       {@code maxNumSeqs} slot and the blocks for their first chunk are available, and (the full-sequence
 *       gate, {@link PoolShape#reserveFullIsl()}) the free blocks would hold their whole current sequence. The
 *       first one that does not fit stops admission.</li>
 * </ol>
 * With prefix caching ({@link PoolShape#enablePrefixCaching()}, vLLM V1's default) every full block is cached by
 * the hash of its tokens and of everything before them, and stays findable after its sequence lets it go until
 * the least recently freed blocks are reused ({@link KvBlocks}). A waiting sequence, new or preempted, starts at
 * the longest run of its leading full blocks found in the cache (never its last token: its logits are needed),
 * prefills only the rest, and the admission checks count only the blocks still to take. A request's tokens are
 * its {@link TokenIds}; one submitted by counts alone has content of its own, so only its own resume after a
 * preemption can hit.
 * A sequence whose computed length catches up with its token count samples one output token at step end;
 * after {@code maxOutputTokens} tokens it finishes and frees its blocks. A preempted sequence recomputes its
 * prompt and the tokens it already produced, then continues (no token is reported twice).
 *
 * <p>Driving it: {@link #submit} at the arrival time, then repeatedly {@link #nextStepEnd()} and
 * {@link #advanceTo}. Events go to the {@link EngineListener}. Not thread-safe; deterministic for a given
 * call sequence. A step costs O(running + admitted). Listener callbacks may call {@link #abort} and may
 * {@link #submit} at the current time, but not at a later time.
 */
public final class Engine {

  private final PoolShape shape;
  private final CostModel cost;
  private EngineListener listener;

  private final ArrayList<Sequence> running = new ArrayList<>();
  private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
  private final Map<Long, Sequence> live = new HashMap<>();
  private final ArrayList<Sequence> batch = new ArrayList<>();
  private final ArrayList<Sequence> pendingAborts = new ArrayList<>();
  private final KvBlocks kv;
  private final boolean byContent;

  private long serials;
  private long now;
  private boolean inFlight;
  private long stepEnd;

  private long preemptionsTotal;
  private long promptTokensTotal;
  private long generationTokensTotal;
  private long finishedTotal;
  private long abortedTotal;
  private long stepsTotal;
  private long busyNanos;
  private long prefixQueries;
  private long prefixHits;
  private long resumedPrefixQueries;
  private long resumedPrefixHits;

  /**
   * An engine for requests known by their token counts alone ({@link #submit(long, long, int, int)}): each
   * request's content is its own, so its blocks are kept as counts (O(1) per request, see {@link CountedBlocks}).
   *
   * @throws IllegalArgumentException with vLLM's words when vLLM would refuse to start with {@code shape}
   */
  public Engine(PoolShape shape, CostModel cost, EngineListener listener) {
    this(shape, cost, listener, false);
  }

  /**
   * An engine for requests known by their token ids ({@link #submit(long, long, TokenIds, int)}), whose blocks
   * are shared by content (O(1) per block, see {@link ContentBlocks}). It takes requests by counts too.
   */
  public static Engine byTokenIds(PoolShape shape, CostModel cost, EngineListener listener) {
    return new Engine(shape, cost, listener, true);
  }

  private Engine(PoolShape shape, CostModel cost, EngineListener listener, boolean byContent) {
    String refusal = shape.startupError();
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
    this.shape = shape;
    this.cost = cost;
    this.listener = listener == null ? EngineListener.NONE : listener;
    this.byContent = byContent;
    this.kv = KvBlocks.forShape(shape, byContent);
  }

  public void setListener(EngineListener listener) {
    this.listener = listener == null ? EngineListener.NONE : listener;
  }

  public PoolShape shape() {
    return shape;
  }

  public CostModel cost() {
    return cost;
  }

  /**
   * Queues a request arriving at {@code timeNanos} (not before the engine clock) whose content is its own: no
   * other request shares a block with it. The engine first advances to that time, so steps ending earlier are
   * delivered before the request joins the waiting queue.
   *
   * @throws IllegalArgumentException if the id is live, counts are below 1, the request exceeds
   *     {@code maxModelLen} (the server answers 400 before this), or it could never fit the KV cache
   */
  public void submit(long timeNanos, long id, int promptTokens, int maxOutputTokens) {
    submit(timeNanos, id, promptTokens, maxOutputTokens, null);
  }

  /**
   * Queues a request by its token ids, so that it shares cached blocks with other requests of the same prefix.
   *
   * @see #submit(long, long, int, int)
   */
  public void submit(long timeNanos, long id, TokenIds tokens, int maxOutputTokens) {
    if (!byContent) {
      throw new IllegalStateException("an engine for requests by counts takes no token ids (use Engine.byTokenIds)");
    }
    submit(timeNanos, id, tokens.prompt().length, maxOutputTokens, tokens);
  }

  private void submit(long timeNanos, long id, int promptTokens, int maxOutputTokens, TokenIds tokens) {
    if (promptTokens < 1 || maxOutputTokens < 1) {
      throw new IllegalArgumentException("prompt and output tokens must be >= 1");
    }
    if ((long) promptTokens + maxOutputTokens > shape.maxModelLen()) {
      throw new IllegalArgumentException("request of " + promptTokens + "+" + maxOutputTokens
          + " tokens exceeds max_model_len " + shape.maxModelLen());
    }
    if (blocksFor(promptTokens + maxOutputTokens) > shape.numGpuBlocks()) {
      throw new IllegalArgumentException("request can never fit " + shape.numGpuBlocks() + " KV blocks");
    }
    if (live.containsKey(id)) {
      throw new IllegalArgumentException("request id " + id + " is already live");
    }
    advanceTo(timeNanos);
    Sequence s = new Sequence(id, serials++, tokens, promptTokens, maxOutputTokens, timeNanos);
    live.put(id, s);
    waiting.addLast(s);
  }

  /**
   * Aborts a live request (a client went away). Its blocks are freed at the next step boundary: now if no step
   * is in flight, else when the in-flight step ends (its token from that step is dropped).
   *
   * @return false if the id is unknown or already finished
   */
  public boolean abort(long id) {
    Sequence s = live.remove(id);
    if (s == null) {
      return false;
    }
    s.aborted = true;
    if (inFlight && s.state == Sequence.State.RUNNING && s.scheduled > 0) {
      pendingAborts.add(s);
    } else {
      drop(s);
    }
    return true;
  }

  /**
   * End time of the in-flight step. If the engine is idle and has work, a step starts now (so submit every
   * arrival of the current instant before calling this). {@link Long#MAX_VALUE} when there is nothing to do.
   */
  public long nextStepEnd() {
    if (!inFlight && hasWork()) {
      startStep();
    }
    return inFlight ? stepEnd : Long.MAX_VALUE;
  }

  /**
   * Moves the clock to {@code timeNanos}, completing every step that ends at or before it and starting the
   * next one back to back while there is work. A step is not started at exactly {@code timeNanos} (arrivals of
   * that instant may still come); {@link #nextStepEnd()} starts it.
   */
  public void advanceTo(long timeNanos) {
    if (timeNanos < now) {
      throw new IllegalArgumentException("time goes backwards: " + timeNanos + " < " + now);
    }
    while (true) {
      if (!inFlight) {
        if (now >= timeNanos || !hasWork()) {
          break;
        }
        startStep();
      }
      if (stepEnd > timeNanos) {
        break;
      }
      finishStep();
    }
    now = Math.max(now, timeNanos);
  }

  /** Runs until no work is left; returns the clock then. */
  public long drain() {
    long end;
    while ((end = nextStepEnd()) != Long.MAX_VALUE) {
      advanceTo(end);
    }
    return now;
  }

  // ---- counters ------------------------------------------------------------------------------------------

  public long now() {
    return now;
  }

  public boolean stepInFlight() {
    return inFlight;
  }

  public int running() {
    return running.size();
  }

  public int waiting() {
    return waiting.size();
  }

  /** Blocks some sequence holds; cached blocks nobody holds count as free, as vLLM counts them. */
  public int usedBlocks() {
    return shape.numGpuBlocks() - kv.free();
  }

  /** Blocks the prefix cache can find now, held or free. */
  public int cachedBlocks() {
    return kv.cachedBlocks();
  }

  /**
   * Tokens of new requests looked up in the prefix cache, counted when they are admitted: their whole prompt
   * ({@code vllm:prefix_cache_queries}). Zero without prefix caching.
   */
  public long prefixCacheQueriesTotal() {
    return prefixQueries;
  }

  /** Of {@link #prefixCacheQueriesTotal()}, the tokens found cached ({@code vllm:prefix_cache_hits}). */
  public long prefixCacheHitsTotal() {
    return prefixHits;
  }

  /** Tokens of preempted requests looked up when they are admitted again (vLLM counts these apart). */
  public long resumedPrefixCacheQueriesTotal() {
    return resumedPrefixQueries;
  }

  /** Of {@link #resumedPrefixCacheQueriesTotal()}, the tokens found cached: recompute a preemption did not cost. */
  public long resumedPrefixCacheHitsTotal() {
    return resumedPrefixHits;
  }

  /** Fraction of KV blocks allocated, 0..1 ({@code vllm:kv_cache_usage_perc}). */
  public double kvUsage() {
    return (double) usedBlocks() / shape.numGpuBlocks();
  }

  public long preemptionsTotal() {
    return preemptionsTotal;
  }

  /** Prompt tokens of requests that produced their first token. */
  public long promptTokensTotal() {
    return promptTokensTotal;
  }

  public long generationTokensTotal() {
    return generationTokensTotal;
  }

  public long finishedTotal() {
    return finishedTotal;
  }

  public long abortedTotal() {
    return abortedTotal;
  }

  public long stepsTotal() {
    return stepsTotal;
  }

  /** Virtual time spent inside steps (the instance's busy time). */
  public long busyNanos() {
    return busyNanos;
  }

  /** Output tokens produced so far by a live request, or -1 if it is not live. */
  public int generated(long id) {
    Sequence s = live.get(id);
    return s == null ? -1 : s.generated;
  }

  // ---- the scheduler -------------------------------------------------------------------------------------

  private boolean hasWork() {
    return !running.isEmpty() || !waiting.isEmpty();
  }

  private int blocksFor(int tokens) {
    return (tokens + shape.blockSize() - 1) / shape.blockSize();
  }

  private void startStep() {
    batch.clear();
    int budget = shape.maxNumBatchedTokens();
    boolean preempted = false;

    int i = 0;
    while (i < running.size() && budget > 0) {
      Sequence s = running.get(i);
      int n = Math.min(s.numTokens - s.computed, budget);
      boolean fits = true;
      while (true) {
        int need = blocksFor(s.computed + n) - s.blocks;
        if (need <= kv.free()) {
          kv.take(s, need);
          break;
        }
        Sequence victim = running.remove(running.size() - 1);
        preempt(victim);
        preempted = true;
        if (victim == s) {
          fits = false;
          break;
        }
      }
      if (!fits) {
        break;
      }
      kv.offer(s, s.computed + n);
      s.scheduled = n;
      budget -= n;
      batch.add(s);
      i++;
    }

    if (!preempted) {
      while (budget > 0 && running.size() < shape.maxNumSeqs() && !waiting.isEmpty()) {
        Sequence s = waiting.peekFirst();   // holds no blocks: new, or preempted and freed
        // the leading full blocks found cached, never the one holding its last token (its logits are needed)
        int hit = kv.caching ? kv.lookup(s, (s.numTokens - 1) / shape.blockSize()) : 0;
        int evictable = kv.evictable(hit);   // cached blocks nobody holds: taking them uses up free blocks too
        int hitTokens = hit * shape.blockSize();
        if (shape.reserveFullIsl() && blocksFor(s.numTokens) - hit + evictable > kv.free()) {
          break;  // the whole current sequence would not fit: wait rather than be preempted mid-prefill
        }
        int n = Math.min(s.numTokens - hitTokens, budget);
        int fresh = blocksFor(hitTokens + n) - hit;
        if (fresh + evictable > kv.free()) {
          break;
        }
        waiting.pollFirst();
        kv.takeHits(s, hit);
        s.computed = hitTokens;
        kv.take(s, fresh);
        kv.offer(s, hitTokens + n);
        countLookup(s, hitTokens);
        s.state = Sequence.State.RUNNING;
        s.scheduled = n;
        budget -= n;
        running.add(s);
        batch.add(s);
      }
    }

    if (batch.isEmpty()) {
      return;
    }
    long prefillTokens = 0;
    long decodeSeqs = 0;
    long contextTokens = 0;
    for (int k = 0; k < batch.size(); k++) {
      Sequence s = batch.get(k);
      if (s.generated > 0 && s.computed == s.numTokens - 1) {
        decodeSeqs++;
      } else {
        prefillTokens += s.scheduled;
      }
      contextTokens += s.computed + s.scheduled;
    }
    long duration = cost.stepNanos(prefillTokens, decodeSeqs, contextTokens);
    stepEnd = now + duration;
    busyNanos += duration;
    stepsTotal++;
    inFlight = true;
  }

  // V1's _preempt_request: with prefix caching the freed full blocks stay cached, so the resume can find them
  private void preempt(Sequence s) {
    kv.release(s, true);
    s.computed = 0;
    s.scheduled = 0;
    s.preemptions++;
    s.state = Sequence.State.WAITING;
    waiting.addFirst(s);
    preemptionsTotal++;
    listener.onPreempt(s.id, now);
  }

  // V1 records a lookup when the request is admitted, so a request waiting several steps counts once
  private void countLookup(Sequence s, int hitTokens) {
    if (s.cachedTokens < 0) {
      s.cachedTokens = hitTokens;
    }
    if (!kv.caching) {
      return;
    }
    if (s.preemptions > 0) {
      resumedPrefixQueries += s.numTokens;
      resumedPrefixHits += hitTokens;
    } else {
      prefixQueries += s.numTokens;
      prefixHits += hitTokens;
    }
  }

  private void finishStep() {
    now = stepEnd;
    inFlight = false;
    boolean anyDone = false;
    for (int k = 0; k < batch.size(); k++) {
      Sequence s = batch.get(k);
      int n = s.scheduled;
      s.scheduled = 0;
      if (s.aborted || s.state != Sequence.State.RUNNING) {
        continue;  // aborted while the step ran
      }
      s.computed += n;
      if (s.computed < s.numTokens) {
        continue;  // a prefill chunk that did not reach the end
      }
      int index = s.generated;
      s.generated++;
      s.numTokens++;
      generationTokensTotal++;
      if (index == 0) {
        s.firstTokenNanos = now;
        promptTokensTotal += s.promptTokens;
      }
      listener.onToken(s.id, index, now);
      if (s.generated >= s.maxOutputTokens && s.state == Sequence.State.RUNNING) {
        kv.release(s, false);
        s.state = Sequence.State.DONE;
        live.remove(s.id);
        finishedTotal++;
        anyDone = true;
        listener.onFinish(new RequestTimes(s.id, s.promptTokens, s.generated, s.arrivalNanos, s.firstTokenNanos,
            now, s.preemptions, Math.max(0, s.cachedTokens)));
      }
    }
    batch.clear();
    if (anyDone) {
      running.removeIf(Engine::isDone);
    }
    if (!pendingAborts.isEmpty()) {
      for (int k = 0; k < pendingAborts.size(); k++) {
        drop(pendingAborts.get(k));
      }
      pendingAborts.clear();
    }
  }

  private static boolean isDone(Sequence s) {
    return s.state == Sequence.State.DONE;
  }

  /** Removes an aborted sequence from its queue and frees its blocks. */
  private void drop(Sequence s) {
    if (s.state == Sequence.State.RUNNING) {
      running.remove(s);
    } else if (s.state == Sequence.State.WAITING) {
      waiting.remove(s);
    }
    kv.release(s, false);
    s.state = Sequence.State.DONE;
    abortedTotal++;
  }
}
