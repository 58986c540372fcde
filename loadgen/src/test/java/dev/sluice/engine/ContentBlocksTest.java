package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContentBlocksTest {

  @Test
  void freshBlocksGoFirstThenTheLeastRecentlyFreed() {
    ContentBlocks pool = new ContentBlocks(4, 16, true);
    int a = pool.allocate();
    int b = pool.allocate();
    pool.release(b);
    pool.release(a);
    int c = pool.allocate();
    int d = pool.allocate();
    int e = pool.allocate();
    int f = pool.allocate();
    assertThat(new int[] {c, d, e, f, pool.free()}).containsExactly(2, 3, b, a, 0);
  }

  @Test
  void aFreeCachedBlockIsFoundUntilItIsTakenAndTouchingTakesItOutOfTheQueue() {
    ContentBlocks pool = new ContentBlocks(2, 16, true);
    int a = pool.allocate();
    pool.register(a, 42L);
    pool.release(a);
    assertThat(new int[] {pool.find(42L), pool.free()}).containsExactly(a, 2);
    pool.touch(a);
    int other = pool.allocate();
    assertThat(new int[] {pool.free(), pool.find(42L), other}).containsExactly(0, a, 1);
    pool.release(a);
    pool.release(other);
    pool.allocate();   // the least recently freed: a, whose content goes
    assertThat(pool.find(42L)).isEqualTo(-1);
  }

  @Test
  void aSecondCopyOfCachedContentStaysUnindexed() {
    ContentBlocks pool = new ContentBlocks(2, 16, true);
    int a = pool.allocate();
    int b = pool.allocate();
    pool.register(a, 7L);
    pool.register(b, 7L);
    assertThat(new int[] {pool.find(7L), pool.cachedBlocks()}).containsExactly(a, 1);
  }

  @Test
  void withoutCachingNothingIsIndexed() {
    ContentBlocks pool = new ContentBlocks(2, 16, false);
    pool.register(pool.allocate(), 7L);
    assertThat(new int[] {pool.find(7L), pool.cachedBlocks()}).containsExactly(-1, 0);
  }

  /**
   * The index against a HashMap through 200,000 random allocations, registrations, releases and evictions, with
   * hashes of few distinct low bits so that probe runs collide and wrap, and deletions shift entries back.
   */
  @Test
  void theIndexAgreesWithAMapThroughRandomTraffic() {
    int total = 3000;
    ContentBlocks pool = new ContentBlocks(total, 16, true);
    Map<Long, Integer> expected = new HashMap<>();
    Map<Integer, Long> contentOf = new HashMap<>();
    List<Integer> held = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(5);
    for (int step = 0; step < 200_000; step++) {
      if (pool.free() > 0 && (held.isEmpty() || rnd.nextInt(3) > 0)) {
        int b = pool.allocate();
        Long evicted = contentOf.remove(b);
        if (evicted != null) {
          expected.remove(evicted);
        }
        held.add(b);
        long hash = (long) rnd.nextInt(6000) << 40 | rnd.nextInt(4);
        pool.register(b, hash);
        if (!expected.containsKey(hash)) {
          expected.put(hash, b);
          contentOf.put(b, hash);
        }
      } else {
        pool.release(held.remove(rnd.nextInt(held.size())));
      }
      if (step % 1000 == 0) {
        for (Map.Entry<Long, Integer> entry : expected.entrySet()) {
          assertThat(pool.find(entry.getKey())).isEqualTo(entry.getValue());
        }
        assertThat(pool.cachedBlocks()).isEqualTo(expected.size());
        assertThat(pool.free()).isEqualTo(total - held.size());
      }
    }
  }
}
