package dev.sluice.dispatcher.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The waiters of one pool, by class and by key: which one a freed slot goes to, and which one leaves when the
 * line is over its bound. Not thread-safe: only the thread that holds {@link PoolAdmission}'s drain touches it.
 *
 * <p>Between classes, stride scheduling: each class has a pass that grows by {@code STRIDE / weight} with every
 * slot it gets, and the waiting class with the smallest pass is served next. While all three wait, high, normal
 * and low get slots in the ratio of their weights; a class that starts waiting joins at the current pass, so
 * time spent empty is no credit. Inside a class the keys take turns: each key with a waiter gets one slot per
 * round, whoever sent more, so no key takes more than its share of a saturated pool while others wait; each
 * key's own waiters go in arrival order.
 *
 * <p>When the line is over its bound, the newest waiter of the key with the most waiters in the lowest waiting
 * class leaves: a flood from one key displaces its own requests before anyone else's.
 *
 * @param <W> a waiter: what this line orders, and whose liveness it asks through {@link Lane}
 */
final class WaitLine<W> {
  /** What the line needs of a waiter: its class and key, and the atomic claims that take it out. */
  interface Lane<W> {
    Priority priority(W waiter);

    Object owner(W waiter);

    /** Claims a still-waiting waiter for a slot; false when it already left. */
    boolean claim(W waiter);

    /** Makes a still-waiting waiter leave the line; false when it already left or was claimed. */
    boolean evict(W waiter);

    /** Whether the waiter still waits. */
    boolean waiting(W waiter);
  }

  private static final long STRIDE = 1L << 20;
  private static final Object ANONYMOUS = new Object();

  private final Lane<W> lane;
  /** By {@link Priority#ordinal()}: high first. */
  private final List<ClassLine> classes = new ArrayList<>();
  /** The pass of the last class served: where a class that starts waiting joins. */
  private long now;
  /** Entries of waiters that left while in the line, dropped as they are met. */
  private int entries;

  WaitLine(Lane<W> lane, AdmissionPolicy policy) {
    this.lane = lane;
    for (Priority p : Priority.values()) {
      classes.add(new ClassLine(STRIDE / policy.weight(p)));
    }
  }

  /** Entries in the line, including waiters that left and have not been dropped yet. */
  int entries() {
    return entries;
  }

  void add(W waiter) {
    ClassLine c = classes.get(lane.priority(waiter).ordinal());
    if (c.rota.isEmpty()) {
      c.pass = Math.max(c.pass, now);
    }
    c.add(waiter, keyOf(waiter));
    entries++;
  }

  /** The next waiter to get a slot, already claimed; null when nobody waits. */
  W next() {
    for (;;) {
      ClassLine best = null;
      for (ClassLine c : classes) {
        if (!c.rota.isEmpty() && (best == null || c.pass < best.pass)) {
          best = c;
        }
      }
      if (best == null) {
        return null;
      }
      W w = best.next();
      if (w != null) {
        now = best.pass;
        best.pass += best.stride;
        return w;
      }
    }
  }

  /** Makes one waiter leave (see the class comment) and returns it; null when nobody waits. */
  W evictOne() {
    for (int i = classes.size() - 1; i >= 0; i--) {
      W w = classes.get(i).evictOne();
      if (w != null) {
        return w;
      }
    }
    return null;
  }

  /** Drops the entries of waiters that left. */
  void purge() {
    for (ClassLine c : classes) {
      c.purge();
    }
  }

  private Object keyOf(W waiter) {
    Object owner = lane.owner(waiter);
    return owner == null ? ANONYMOUS : owner;
  }

  /** One key's waiters in one class, oldest first. */
  private final class KeyLine {
    final Object owner;
    final ArrayDeque<W> waiters = new ArrayDeque<>();

    KeyLine(Object owner) {
      this.owner = owner;
    }
  }

  /** One class: its keys with waiters, in turn order. */
  private final class ClassLine {
    final long stride;
    long pass;
    final ArrayDeque<KeyLine> rota = new ArrayDeque<>();
    final Map<Object, KeyLine> byKey = new HashMap<>();

    ClassLine(long stride) {
      this.stride = stride;
    }

    void add(W waiter, Object key) {
      KeyLine k = byKey.get(key);
      if (k == null) {
        k = new KeyLine(key);
        byKey.put(key, k);
        rota.addLast(k);
      }
      k.waiters.addLast(waiter);
    }

    /** The oldest waiter of the key whose turn it is, claimed; that key goes to the back of the rota. */
    W next() {
      KeyLine k;
      while ((k = rota.pollFirst()) != null) {
        W claimed = null;
        W w;
        while (claimed == null && (w = k.waiters.pollFirst()) != null) {
          entries--;
          if (lane.claim(w)) {
            claimed = w;
          }
        }
        if (k.waiters.isEmpty()) {
          byKey.remove(k.owner);
        } else {
          rota.addLast(k);
        }
        if (claimed != null) {
          return claimed;
        }
      }
      return null;
    }

    /** The newest waiter of the key with the most entries, evicted; null when nobody of this class waits. */
    W evictOne() {
      while (!rota.isEmpty()) {
        KeyLine most = null;
        for (KeyLine k : rota) {
          if (most == null || k.waiters.size() > most.waiters.size()) {
            most = k;
          }
        }
        W w;
        while ((w = most.waiters.pollLast()) != null) {
          entries--;
          if (lane.evict(w)) {
            break;
          }
        }
        if (most.waiters.isEmpty()) {
          rota.remove(most);
          byKey.remove(most.owner);
        }
        if (w != null) {
          return w;
        }
      }
      return null;
    }

    void purge() {
      for (Iterator<KeyLine> keys = rota.iterator(); keys.hasNext(); ) {
        KeyLine k = keys.next();
        int before = k.waiters.size();
        k.waiters.removeIf(w -> !lane.waiting(w));
        entries -= before - k.waiters.size();
        if (k.waiters.isEmpty()) {
          keys.remove();
          byKey.remove(k.owner);
        }
      }
    }
  }
}
