package dev.sluice.planner;

import java.util.Arrays;

/**
 * A min-heap of instance indices keyed by the end time of their step in flight: the event queue of the
 * fleet simulation. Primitive arrays, no boxing; each instance is in it at most once.
 */
final class StepHeap {
  private int[] ids;
  private long[] keys;
  private int size;

  StepHeap(int capacity) {
    ids = new int[Math.max(1, capacity)];
    keys = new long[ids.length];
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  long minKey() {
    return size == 0 ? Long.MAX_VALUE : keys[0];
  }

  void push(int id, long key) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
      keys = Arrays.copyOf(keys, size * 2);
    }
    int i = size++;
    // sift up; ties keep insertion order stable enough for determinism because ids are compared next
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!less(key, id, keys[parent], ids[parent])) {
        break;
      }
      ids[i] = ids[parent];
      keys[i] = keys[parent];
      i = parent;
    }
    ids[i] = id;
    keys[i] = key;
  }

  /** Removes the earliest entry and returns its id. */
  int pop() {
    int top = ids[0];
    size--;
    if (size > 0) {
      int id = ids[size];
      long key = keys[size];
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && less(keys[child + 1], ids[child + 1], keys[child], ids[child])) {
          child++;
        }
        if (!less(keys[child], ids[child], key, id)) {
          break;
        }
        ids[i] = ids[child];
        keys[i] = keys[child];
        i = child;
      }
      ids[i] = id;
      keys[i] = key;
    }
    return top;
  }

  private static boolean less(long k1, int id1, long k2, int id2) {
    return k1 < k2 || (k1 == k2 && id1 < id2);
  }
}
