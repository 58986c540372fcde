package dev.sluice.engine;

/**
 * KV blocks kept as counts, for an engine whose requests are known by their token counts alone. No two such
 * requests share content, so the only prefix-cache hit possible is a preempted request finding its own blocks
 * again, and the free queue only needs to say where those blocks stand: it is a list of runs in the order they
 * were freed, each either a preempted request's cached blocks or blocks nobody will look for. Allocation takes
 * never-used blocks first, then from the head run, a cached run from its request's last block down. This is the
 * queue {@link ContentBlocks} keeps block by block, with the same result (EngineTest compares them), at O(1)
 * per request instead of per block.
 */
final class CountedBlocks extends KvBlocks {

  /** Consecutive free blocks: a preempted request's cached prefix ({@code owner}), or nothing findable. */
  static final class Run {
    int length;
    Sequence owner;
    Run prev;
    Run next;

    Run(int length, Sequence owner) {
      this.length = length;
      this.owner = owner;
    }
  }

  private int fresh;
  private int cached;
  private Run head;
  private Run tail;

  CountedBlocks(int total, int blockSize, boolean caching) {
    super(total, blockSize, caching);
    this.fresh = total;
  }

  @Override
  int cachedBlocks() {
    return cached;
  }

  @Override
  int lookup(Sequence s, int maxBlocks) {
    return s.run == null ? 0 : Math.min(s.run.length, maxBlocks);
  }

  @Override
  int evictable(int hit) {
    return hit;   // a preempted request's cached blocks are all free
  }

  @Override
  void takeHits(Sequence s, int hit) {
    Run r = s.run;
    if (r == null) {
      return;
    }
    s.run = null;
    r.owner = null;
    cached -= r.length;
    r.length -= hit;        // a run never outgrows what its request can hit: nothing is left to forget
    free -= hit;
    if (r.length == 0) {
      unlink(r);
    }
    s.blocks = hit;
    s.offered = hit;
  }

  @Override
  void take(Sequence s, int count) {
    s.blocks += count;
    free -= count;
    int fromFresh = Math.min(count, fresh);
    fresh -= fromFresh;
    for (int left = count - fromFresh; left > 0; ) {
      Run r = head;
      int n = Math.min(left, r.length);
      r.length -= n;
      left -= n;
      if (r.owner != null) {
        cached -= n;
      }
      if (r.length == 0) {
        if (r.owner != null) {
          r.owner.run = null;
        }
        unlink(r);
      }
    }
  }

  @Override
  void offer(Sequence s, int tokens) {
    if (caching) {
      s.offered = Math.max(s.offered, Math.min(tokens, s.numTokens) / blockSize);
    }
  }

  @Override
  void release(Sequence s, boolean preempted) {
    if (s.run != null) {        // aborted while waiting to resume: its cached blocks are nobody's now
      cached -= s.run.length;
      s.run.owner = null;
      s.run = null;
    }
    int keep = preempted && caching ? s.offered : 0;
    appendUnowned(s.blocks - keep);   // the tail, released first
    if (keep > 0) {
      Run r = new Run(keep, s);
      append(r);
      s.run = r;
      cached += keep;
    }
    free += s.blocks;
    s.blocks = 0;
    s.offered = 0;
  }

  private void appendUnowned(int n) {
    if (n == 0) {
      return;
    }
    if (tail != null && tail.owner == null) {
      tail.length += n;
    } else {
      append(new Run(n, null));
    }
  }

  private void append(Run r) {
    r.prev = tail;
    r.next = null;
    if (tail == null) {
      head = r;
    } else {
      tail.next = r;
    }
    tail = r;
  }

  private void unlink(Run r) {
    if (r.prev == null) {
      head = r.next;
    } else {
      r.prev.next = r.next;
    }
    if (r.next == null) {
      tail = r.prev;
    } else {
      r.next.prev = r.prev;
    }
  }
}
