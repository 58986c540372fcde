package dev.sluice.engine;

/**
 * An engine's KV blocks and its prefix cache, as the scheduler uses them (docs/engine-model.md, rules 12–16).
 * Every block a sequence holds is taken from the free blocks; with caching on, a full block stays findable by
 * content after its sequence lets it go, until the least recently freed free blocks are taken again. Blocks
 * never used yet are taken first.
 *
 * <p>Two keepers: {@link ContentBlocks} knows each block (reference counts, a content index), so that requests
 * of one prefix share blocks; {@link CountedBlocks} keeps counts and runs for requests known by counts alone,
 * whose only possible hit is a preempted request finding its own blocks again, in O(1) per request.
 */
abstract class KvBlocks {

  final int blockSize;
  final boolean caching;
  /** Blocks no sequence holds. */
  int free;

  KvBlocks(int total, int blockSize, boolean caching) {
    this.blockSize = blockSize;
    this.caching = caching;
    this.free = total;
  }

  static KvBlocks forShape(PoolShape shape, boolean byContent) {
    return byContent ? new ContentBlocks(shape.numGpuBlocks(), shape.blockSize(), shape.enablePrefixCaching())
        : new CountedBlocks(shape.numGpuBlocks(), shape.blockSize(), shape.enablePrefixCaching());
  }

  /** Blocks no sequence holds, cached or not: what an allocation may take. */
  final int free() {
    return free;
  }

  /** Blocks whose content the cache can find now. */
  abstract int cachedBlocks();

  /**
   * For a sequence that holds no blocks (new, or preempted): how many of its leading full blocks are cached, at
   * most {@code maxBlocks}. {@link #evictable} and {@link #takeHits} refer to this lookup.
   */
  abstract int lookup(Sequence s, int maxBlocks);

  /** Of the first {@code hit} blocks found by the last lookup, those nobody holds: taking them uses free blocks. */
  abstract int evictable(int hit);

  /** Gives the sequence the first {@code hit} blocks of the last lookup, before any fresh block can evict them. */
  abstract void takeHits(Sequence s, int hit);

  /** Gives the sequence {@code count} more blocks (the caller checked {@link #free()}). */
  abstract void take(Sequence s, int count);

  /** Offers to the cache the sequence's blocks that are full once {@code tokens} of it are computed. */
  abstract void offer(Sequence s, int tokens);

  /**
   * Lets go of every block of the sequence, its last first so that its tail is evicted before its prefix. After a
   * preemption its offered blocks stay findable for its resume; after a finish or an abort, by others only.
   */
  abstract void release(Sequence s, boolean preempted);
}
