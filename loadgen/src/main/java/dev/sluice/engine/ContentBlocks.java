package dev.sluice.engine;

import java.util.Arrays;

/**
 * KV blocks known one by one, shared by content, as vLLM V1's {@code BlockPool} keeps them.
 *
 * <p>Every block has a reference count: the sequences holding it. The blocks nobody holds form one queue in
 * least-recently-freed order, and allocation takes its head; blocks never used stand at its front (vLLM starts
 * with every block queued in id order). A full block offered to the cache is indexed by its hash, which chains
 * its tokens to the hash of the block before it ({@link TokenIds}), and stays findable while it is free, until
 * allocation takes it for something else. A later sequence with the same prefix finds it, takes a reference
 * and, if it was free, pulls it out of the queue. A block whose hash is already indexed by another copy stays
 * unindexed (vLLM keeps both copies findable; the difference shows only when the first copy is evicted while the
 * second is still held). A request known by counts alone gets hashes of its own: only its resume can find them.
 *
 * <p>All state is in flat arrays, grown as blocks are first used, and the index is an open-addressing table of
 * block ids: O(1) per block and no allocation once the arrays have grown.
 */
final class ContentBlocks extends KvBlocks {

  private static final int NONE = -1;
  private static final int[] NO_BLOCKS = new int[0];
  private static final long[] NO_HASHES = new long[0];

  private final int total;

  /** Blocks {@code [0, used)} have been handed out at least once; the rest are fresh. */
  private int used;
  private int[] refs = new int[0];
  private long[] hashes = new long[0];
  private boolean[] indexed = new boolean[0];
  private int[] prev = new int[0];
  private int[] next = new int[0];
  private int head = NONE;
  private int tail = NONE;

  /** The index: block ids by {@code hashes[id]}, linear probing, {@code NONE} for an empty slot. */
  private int[] table = new int[0];
  private int entries;

  /** Block ids found by the last lookup. */
  private int[] hits = new int[64];

  ContentBlocks(int total, int blockSize, boolean caching) {
    super(total, blockSize, caching);
    this.total = total;
  }

  // ---- what the scheduler asks -----------------------------------------------------------------------------

  @Override
  int cachedBlocks() {
    return entries;
  }

  @Override
  int lookup(Sequence s, int maxBlocks) {
    if (!caching) {
      return 0;
    }
    int n = 0;
    while (n < maxBlocks) {
      int b = find(blockHash(s, n));
      if (b < 0) {
        break;
      }
      if (n == hits.length) {
        hits = Arrays.copyOf(hits, 2 * n);
      }
      hits[n++] = b;
    }
    return n;
  }

  @Override
  int evictable(int hit) {
    int n = 0;
    for (int k = 0; k < hit; k++) {
      if (refs[hits[k]] == 0) {
        n++;
      }
    }
    return n;
  }

  @Override
  void takeHits(Sequence s, int hit) {
    for (int k = 0; k < hit; k++) {
      touch(hits[k]);
      hold(s, hits[k]);
    }
    s.offered = hit;
  }

  @Override
  void take(Sequence s, int count) {
    for (int k = 0; k < count; k++) {
      hold(s, allocate());
    }
  }

  @Override
  void offer(Sequence s, int tokens) {
    if (!caching) {
      return;
    }
    int full = Math.min(tokens, s.numTokens) / blockSize;
    for (; s.offered < full; s.offered++) {
      register(s.blockIds[s.offered], blockHash(s, s.offered));
    }
  }

  @Override
  void release(Sequence s, boolean preempted) {
    for (int k = s.blocks - 1; k >= 0; k--) {
      release(s.blockIds[k]);
    }
    s.blocks = 0;
    s.offered = 0;
  }

  private static void hold(Sequence s, int block) {
    if (s.blockIds == null) {
      s.blockIds = NO_BLOCKS;
    }
    if (s.blocks == s.blockIds.length) {
      s.blockIds = Arrays.copyOf(s.blockIds, Math.max(4, 2 * s.blocks));
    }
    s.blockIds[s.blocks++] = block;
  }

  private long blockHash(Sequence s, int index) {
    if (s.tokens == null) {
      return TokenIds.uniqueBlockHash(s.serial, index);
    }
    if (s.hashes == null) {
      s.hashes = NO_HASHES;
    }
    while (s.hashed <= index) {
      if (s.hashed == s.hashes.length) {
        s.hashes = Arrays.copyOf(s.hashes, Math.max(8, 2 * s.hashed));
      }
      int b = s.hashed;
      s.hashes[b] = s.tokens.blockHash(b, blockSize, b == 0 ? 0 : s.hashes[b - 1]);
      s.hashed++;
    }
    return s.hashes[index];
  }

  // ---- blocks one by one -----------------------------------------------------------------------------------

  /** The indexed block with this content hash, or -1. */
  int find(long hash) {
    if (entries == 0) {
      return NONE;
    }
    int mask = table.length - 1;
    for (int i = home(hash, mask); ; i = (i + 1) & mask) {
      int b = table[i];
      if (b == NONE || hashes[b] == hash) {
        return b;
      }
    }
  }

  /** Takes a reference to a block found by {@link #find}, pulling it out of the free queue if nobody held it. */
  void touch(int block) {
    if (refs[block]++ == 0) {
      unlink(block);
      free--;
    }
  }

  /** Takes a free block (the caller checked {@link #free()}), evicting its cached content if it had any. */
  int allocate() {
    int b;
    if (used < total) {
      b = used++;
      if (b == refs.length) {
        grow();
      }
    } else {
      b = head;
      unlink(b);
      if (indexed[b]) {
        unindex(b);
      }
    }
    refs[b] = 1;
    free--;
    return b;
  }

  /** Drops a reference; a block nobody holds joins the tail of the free queue, its content still findable. */
  void release(int block) {
    if (--refs[block] == 0) {
      prev[block] = tail;
      next[block] = NONE;
      if (tail == NONE) {
        head = block;
      } else {
        next[tail] = block;
      }
      tail = block;
      free++;
    }
  }

  /** Makes a full, held block findable by its content hash (no-op without caching or when a copy is indexed). */
  void register(int block, long hash) {
    if (!caching || indexed[block] || find(hash) != NONE) {
      return;
    }
    if (2 * (entries + 1) > table.length) {
      rehash(Math.max(1024, table.length * 2));
    }
    hashes[block] = hash;
    indexed[block] = true;
    int mask = table.length - 1;
    int i = home(hash, mask);
    while (table[i] != NONE) {
      i = (i + 1) & mask;
    }
    table[i] = block;
    entries++;
  }

  private void unindex(int block) {
    indexed[block] = false;
    int mask = table.length - 1;
    int i = home(hashes[block], mask);
    while (table[i] != block) {
      i = (i + 1) & mask;
    }
    // backward-shift deletion: pull later entries of the probe run into the hole so every lookup still finds them
    for (int j = (i + 1) & mask; table[j] != NONE; j = (j + 1) & mask) {
      int h = home(hashes[table[j]], mask);
      boolean movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
      if (movable) {
        table[i] = table[j];
        i = j;
      }
    }
    table[i] = NONE;
    entries--;
  }

  private void unlink(int block) {
    int p = prev[block];
    int n = next[block];
    if (p == NONE) {
      head = n;
    } else {
      next[p] = n;
    }
    if (n == NONE) {
      tail = p;
    } else {
      prev[n] = p;
    }
  }

  private void grow() {
    int size = (int) Math.min(total, Math.max(1024L, 2L * refs.length));
    refs = Arrays.copyOf(refs, size);
    hashes = Arrays.copyOf(hashes, size);
    indexed = Arrays.copyOf(indexed, size);
    prev = Arrays.copyOf(prev, size);
    next = Arrays.copyOf(next, size);
  }

  private void rehash(int size) {
    int[] old = table;
    table = new int[size];
    Arrays.fill(table, NONE);
    int mask = size - 1;
    for (int b : old) {
      if (b != NONE) {
        int i = home(hashes[b], mask);
        while (table[i] != NONE) {
          i = (i + 1) & mask;
        }
        table[i] = b;
      }
    }
  }

  private static int home(long hash, int mask) {
    return (int) (hash ^ (hash >>> 32)) & mask;
  }
}
