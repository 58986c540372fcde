package dev.sluice.dispatcher.balance;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses one endpoint of a pool for a try, given each endpoint's eligibility and load by position: one chooser
 * per thread, its arrays reused, so a choice allocates nothing, takes no lock and costs O(endpoints).
 *
 * <p><b>With an affinity key</b>: rendezvous hashing with bounded loads. Each endpoint scores
 * {@code mix(key ^ seed)}, {@code seed} the hash of its URL; the key's home is the endpoint with the highest
 * score, the next highest is where it goes when the home cannot take it, and so on. An endpoint joining or
 * leaving moves only the keys whose home it becomes or was, the same on every node. An endpoint takes the key
 * only while its load is at most {@code factor} times the mean load of the eligible endpoints (Mirrokni,
 * Thorup and Zadimoghaddam, "Consistent Hashing with Bounded Loads", 2016); an idle one always may. The choice
 * is a {@link Result#HIT} when it is the home, a {@link Result#SPILL} when the home was over the bound, down,
 * drained or the endpoint the previous try failed on.
 *
 * <p><b>Without</b>: the least loaded of all, ties taken from a random start; or, in a large pool, the power of
 * two random choices: two distinct eligible endpoints drawn at random, the less loaded one taken, close to the
 * least loaded without every node and event loop herding onto the same one between two scrapes (Mitzenmacher,
 * "The Power of Two Choices in Randomized Load Balancing", 2001). The pool decides which.
 */
public final class Chooser {

  /** How a choice relates to the request's affinity key. */
  public enum Result { HIT, SPILL, NONE }

  private static final FastThreadLocal<Chooser> PER_THREAD = new FastThreadLocal<>() {
    @Override
    protected Chooser initialValue() {
      return new Chooser();
    }
  };

  private boolean[] eligible = new boolean[16];
  private double[] load = new double[16];
  private int[] eligibleAt = new int[16];
  private int size;
  private int eligibleCount;
  private double eligibleLoad;
  private Result result = Result.NONE;

  /** This thread's chooser. */
  public static Chooser current() {
    return PER_THREAD.get();
  }

  /** Starts a choice among {@code endpoints} positions, none eligible yet. */
  public Chooser reset(int endpoints) {
    if (endpoints > eligible.length) {
      int capacity = Math.max(endpoints, 2 * eligible.length);
      eligible = new boolean[capacity];
      load = new double[capacity];
      eligibleAt = new int[capacity];
    } else {
      Arrays.fill(eligible, 0, endpoints, false);
    }
    size = endpoints;
    eligibleCount = 0;
    eligibleLoad = 0;
    result = Result.NONE;
    return this;
  }

  /** The endpoint at {@code position} may take the try, at this load ({@link BudgetLoad}). */
  public void eligible(int position, double endpointLoad) {
    eligible[position] = true;
    load[position] = endpointLoad;
    eligibleAt[eligibleCount++] = position;
    eligibleLoad += endpointLoad;
  }

  /** Whether any endpoint was found eligible. */
  public boolean any() {
    return eligibleCount > 0;
  }

  /** How the last choice relates to the affinity key. */
  public Result result() {
    return result;
  }

  /**
   * The key's home, or the next endpoint in its order that is eligible and within the bound; -1 when none is
   * eligible.
   *
   * @param seeds  each position's seed (the hash of the endpoint's URL), for all {@code endpoints} positions
   * @param factor how far above the mean eligible load an endpoint may be and still take the key (at least 1)
   */
  public int affinity(long key, long[] seeds, double factor) {
    if (eligibleCount == 0) {
      result = Result.NONE;
      return -1;
    }
    double bound = factor * eligibleLoad / eligibleCount;
    int home = -1;
    long homeScore = 0;
    int best = -1;
    long bestScore = 0;
    for (int i = 0; i < size; i++) {
      long score = KeyHash.mix(key ^ seeds[i]);
      if (home < 0 || Long.compareUnsigned(score, homeScore) > 0) {
        home = i;
        homeScore = score;
      }
      if (eligible[i] && (load[i] <= bound || load[i] == 0)
          && (best < 0 || Long.compareUnsigned(score, bestScore) > 0)) {
        best = i;
        bestScore = score;
      }
    }
    if (best < 0) {
      best = leastLoaded();  // only rounding can leave every eligible endpoint above a bound over their mean
    }
    result = best == home ? Result.HIT : Result.SPILL;
    return best;
  }

  /** Power of two random choices among the eligible endpoints; -1 when none is. */
  public int powerOfTwo() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return powerOfTwo(random.nextInt(Math.max(1, eligibleCount)), random.nextInt(Math.max(1, eligibleCount - 1)));
  }

  /**
   * The less loaded of the {@code first}-th eligible endpoint and the {@code second}-th of the others (the first
   * on a tie); -1 when none is eligible.
   */
  public int powerOfTwo(int first, int second) {
    result = Result.NONE;
    if (eligibleCount == 0) {
      return -1;
    }
    int a = eligibleAt[first];
    if (eligibleCount == 1) {
      return a;
    }
    int b = eligibleAt[second < first ? second : second + 1];
    return load[b] < load[a] ? b : a;
  }

  /** The least loaded eligible endpoint, ties taken in turn from a random start; -1 when none is eligible. */
  public int leastLoaded() {
    result = Result.NONE;
    if (eligibleCount == 0) {
      return -1;
    }
    int start = ThreadLocalRandom.current().nextInt(eligibleCount);
    int best = eligibleAt[start];
    for (int k = 1; k < eligibleCount; k++) {
      int i = eligibleAt[(start + k) % eligibleCount];
      if (load[i] < load[best]) {
        best = i;
      }
    }
    return best;
  }
}
