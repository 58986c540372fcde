package dev.sluice.dispatcher.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of service of the wait line, by itself: classes by weight, keys in turn, evictions. */
class WaitLineTest {

  /** A waiter: its class, key and whether it still waits. */
  static final class W {
    final Priority priority;
    final String key;
    final int seq;
    boolean waiting = true;

    W(Priority priority, String key, int seq) {
      this.priority = priority;
      this.key = key;
      this.seq = seq;
    }

    @Override
    public String toString() {
      return priority.label() + "/" + key + "#" + seq;
    }
  }

  static final WaitLine.Lane<W> LANE = new WaitLine.Lane<>() {
    @Override
    public Priority priority(W w) {
      return w.priority;
    }

    @Override
    public Object owner(W w) {
      return w.key;
    }

    @Override
    public boolean claim(W w) {
      boolean was = w.waiting;
      w.waiting = false;
      return was;
    }

    @Override
    public boolean evict(W w) {
      return claim(w);
    }

    @Override
    public boolean waiting(W w) {
      return w.waiting;
    }
  };

  private final WaitLine<W> line = new WaitLine<>(LANE, AdmissionPolicy.DEFAULTS);
  private int seq;

  private List<W> add(Priority p, String key, int n) {
    List<W> added = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      W w = new W(p, key, seq++);
      line.add(w);
      added.add(w);
    }
    return added;
  }

  private List<W> serve(int n) {
    List<W> served = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      served.add(line.next());
    }
    return served;
  }

  private static long count(List<W> served, Priority p) {
    return served.stream().filter(w -> w.priority == p).count();
  }

  @Test
  void classesShareFreedSlotsByTheirWeights() {
    add(Priority.LOW, "a", 100);
    add(Priority.NORMAL, "a", 100);
    add(Priority.HIGH, "a", 100);
    // weights 8:4:1 by default: every 13 slots, 8 high, 4 normal, 1 low
    List<W> served = serve(130);
    assertThat(count(served, Priority.HIGH)).isEqualTo(80);
    assertThat(count(served, Priority.NORMAL)).isEqualTo(40);
    assertThat(count(served, Priority.LOW)).isEqualTo(10);
  }

  @Test
  void aStarvedClassStillAdvancesWhileHigherOnesKeepArriving() {
    List<W> low = add(Priority.LOW, "batch", 3);
    List<W> served = new ArrayList<>();
    for (int round = 0; round < 40; round++) {
      add(Priority.HIGH, "chat", 1);
      add(Priority.NORMAL, "chat", 1);
      served.addAll(serve(1));
    }
    assertThat(served).containsAll(low);
  }

  @Test
  void aClassThatWasIdleGetsNoBurstOfCredit() {
    add(Priority.HIGH, "a", 100);
    serve(50); // high alone: its pass runs ahead
    add(Priority.LOW, "b", 10);
    List<W> next = serve(9);
    // joining at the current pass, low gets its one slot in nine, not all ten at once
    assertThat(count(next, Priority.LOW)).isEqualTo(1);
  }

  @Test
  void keysOfAClassTakeTurnsWhateverEachSent() {
    List<W> flood = add(Priority.NORMAL, "flood", 20);
    List<W> small = add(Priority.NORMAL, "small", 3);
    List<W> served = serve(6);
    assertThat(served).containsExactly(flood.get(0), small.get(0), flood.get(1), small.get(1), flood.get(2),
        small.get(2));
    assertThat(serve(2)).containsExactly(flood.get(3), flood.get(4));
  }

  @Test
  void waitersThatLeftAreSkippedAndPurged() {
    List<W> ws = add(Priority.NORMAL, "a", 10);
    for (int i = 0; i < 9; i++) {
      ws.get(i).waiting = false;
    }
    assertThat(line.entries()).isEqualTo(10);
    line.purge();
    assertThat(line.entries()).isEqualTo(1);
    assertThat(line.next()).isSameAs(ws.get(9));
    assertThat(line.next()).isNull();
    assertThat(line.entries()).isZero();
  }

  @Test
  void evictionTakesTheNewestOfTheBiggestKeyInTheLowestClass() {
    add(Priority.HIGH, "h", 5);
    List<W> lowA = add(Priority.LOW, "a", 2);
    List<W> lowB = add(Priority.LOW, "b", 4);
    add(Priority.NORMAL, "n", 5);
    assertThat(line.evictOne()).isSameAs(lowB.get(3));
    assertThat(line.evictOne()).isSameAs(lowB.get(2));
    // then ties, and low runs out before normal is touched
    List<W> evicted = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      evicted.add(line.evictOne());
    }
    assertThat(evicted).containsExactlyInAnyOrder(lowA.get(0), lowA.get(1), lowB.get(0), lowB.get(1));
    assertThat(line.evictOne().priority).isEqualTo(Priority.NORMAL);
  }
}
