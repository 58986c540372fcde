package dev.sluice.dispatcher.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChooserTest {

  private static long[] seeds(List<String> urls) {
    return urls.stream().mapToLong(KeyHash::of).toArray();
  }

  private static List<String> urls(int n) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      urls.add("http://10.0.0." + (i + 1) + ":8000");
    }
    return urls;
  }

  /** The key's choice among idle endpoints, all eligible. */
  private static String home(long key, List<String> urls) {
    Chooser c = new Chooser().reset(urls.size());
    for (int i = 0; i < urls.size(); i++) {
      c.eligible(i, 0);
    }
    return urls.get(c.affinity(key, seeds(urls), 1.25));
  }

  /**
   * 20,000 keys over 8 endpoints. One endpoint leaving moves exactly the keys it was home to; one joining takes
   * about a ninth of the keys and moves no other. The homes are spread evenly.
   */
  @Test
  void anEndpointJoiningOrLeavingMovesOnlyItsShareOfKeys() {
    List<String> eight = urls(8);
    List<String> seven = new ArrayList<>(eight);
    String gone = seven.remove(3);
    List<String> nine = urls(9);
    String joined = nine.get(8);
    int[] perEndpoint = new int[8];
    int movedOnLeave = 0;
    int movedOnJoin = 0;
    int homedOnGone = 0;
    for (int k = 0; k < 20_000; k++) {
      long key = KeyHash.of("conversation-" + k);
      String before = home(key, eight);
      perEndpoint[eight.indexOf(before)]++;
      String afterLeave = home(key, seven);
      String afterJoin = home(key, nine);
      if (before.equals(gone)) {
        homedOnGone++;
      }
      if (!afterLeave.equals(before)) {
        movedOnLeave++;
        assertThat(before).isEqualTo(gone);
      }
      if (!afterJoin.equals(before)) {
        movedOnJoin++;
        assertThat(afterJoin).isEqualTo(joined);
      }
    }
    assertThat(movedOnLeave).isEqualTo(homedOnGone);
    assertThat(movedOnJoin).isBetween(20_000 / 9 - 300, 20_000 / 9 + 300);
    for (int count : perEndpoint) {
      assertThat(count).isBetween(2_500 - 300, 2_500 + 300);
    }
  }

  /**
   * One conversation keeps sending requests of 1,000 tokens that stay in flight. Its home takes them until it is
   * above 1.25 times the mean load, then the next endpoint in the key's order, and so on: no endpoint ever gets
   * a request while above the bound, and the loads stay within it.
   */
  @Test
  void noEndpointAboveTheBoundTakesTheKey() {
    long key = KeyHash.of("a very busy conversation");
    long[] seeds = seeds(urls(4));
    double[] load = new double[4];
    Chooser c = new Chooser();
    int spills = 0;
    for (int request = 0; request < 400; request++) {
      c.reset(4);
      double mean = 0;
      for (int i = 0; i < 4; i++) {
        c.eligible(i, load[i]);
        mean += load[i] / 4;
      }
      int chosen = c.affinity(key, seeds, 1.25);
      assertThat(load[chosen] == 0 || load[chosen] <= 1.25 * mean).isTrue();
      if (c.result() == Chooser.Result.SPILL) {
        spills++;
      }
      load[chosen] += 1_000;
    }
    double mean = (load[0] + load[1] + load[2] + load[3]) / 4;
    for (double l : load) {
      assertThat(l).isLessThanOrEqualTo(1.25 * mean + 1_000);
    }
    assertThat(spills).isPositive();
  }

  @Test
  void aHomeThatCannotTakeTheTryIsASpillToTheNextInTheKeysOrder() {
    List<String> urls = urls(5);
    long key = KeyHash.of("conversation-1");
    int home = urls.indexOf(home(key, urls));
    Chooser c = new Chooser().reset(5);
    for (int i = 0; i < 5; i++) {
      if (i != home) {
        c.eligible(i, 0);
      }
    }
    int chosen = c.affinity(key, seeds(urls), 1.25);
    List<String> withoutHome = new ArrayList<>(urls);
    withoutHome.remove(home);
    assertThat(List.of(c.result(), urls.get(chosen))).containsExactly(Chooser.Result.SPILL, home(key, withoutHome));
  }

  @Test
  void nothingEligibleIsNoChoice() {
    Chooser c = new Chooser().reset(3);
    assertThat(new int[] {c.affinity(1, new long[3], 1.25), c.powerOfTwo()}).containsExactly(-1, -1);
    assertThat(c.any()).isFalse();
  }

  /**
   * Loads 5, 1, 3, 9: over every ordered pair of draws the least loaded endpoint wins each pair it is in (6 of
   * 12), the most loaded none, and an ineligible endpoint is never drawn.
   */
  @Test
  void powerOfTwoTakesTheLessLoadedOfTwoDistinctDraws() {
    double[] loads = {5, 1, 3, 9};
    int[] wins = new int[5];
    Chooser c = new Chooser();
    for (int first = 0; first < 4; first++) {
      for (int second = 0; second < 3; second++) {
        c.reset(5);
        for (int i = 0; i < 4; i++) {
          c.eligible(i, loads[i]);
        }
        wins[c.powerOfTwo(first, second)]++;
        assertThat(c.result()).isEqualTo(Chooser.Result.NONE);
      }
    }
    assertThat(wins).containsExactly(2, 6, 4, 0, 0);
  }

  @Test
  void powerOfTwoWithOneEligibleTakesIt() {
    Chooser c = new Chooser().reset(3);
    c.eligible(2, 100);
    assertThat(c.powerOfTwo()).isEqualTo(2);
  }

  @Test
  void aChooserGrowsForALargerPoolAndForgetsThePreviousChoice() {
    Chooser c = new Chooser().reset(2);
    c.eligible(0, 1);
    c.eligible(1, 1);
    c.reset(40);
    c.eligible(39, 7);
    assertThat(new int[] {c.powerOfTwo(), c.affinity(5, new long[40], 1.25)}).containsExactly(39, 39);
  }
}
