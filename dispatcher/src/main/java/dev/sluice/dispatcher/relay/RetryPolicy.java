package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.error.FailureKind;
import java.util.function.BooleanSupplier;

/**
 * Whether a try that failed before the commit point is repeated, and where. Pure: it reads what happened, what
 * was tried so far and what the pool set offers, and says what to do; the relay does it. The only effect it may
 * cause is taking a token of the node's retry budget, through {@code budget}, and only when it decides to retry
 * in the pool.
 *
 * <p>The rules, by the failure table's {@link FailureKind#retry()} column:
 * <ul>
 *   <li>{@code ANOTHER_ENDPOINT} (connect failure, reset, upstream 502/503/504): once more in the same pool, on
 *       another endpoint when there is one, if the retry budget allows;</li>
 *   <li>{@code OTHER_ENDPOINT_ONLY} (first-byte timeout): the same, but only when the pool has another endpoint:
 *       a silent endpoint is not asked again;</li>
 *   <li>{@code LARGER_POOL} (context length exceeded): once on the next larger pool, when there is one;</li>
 *   <li>{@code NO}: give up.</li>
 * </ul>
 * Giving up means Sluice's error answer, or the upstream's own answer forwarded, as the row's
 * {@link FailureKind#answer()} says.
 */
public final class RetryPolicy {
  /** Tries per pool (the first and one repeat) for failures retried in the pool. */
  public static final int TRIES_PER_POOL = 2;

  /** What to do after a failed try. */
  public enum Decision {
    /** Try again in the same pool, avoiding the endpoint that failed. */
    RETRY_IN_POOL,
    /** Try the next larger pool. */
    RETRY_ON_LARGER_POOL,
    /** The failure stands. */
    GIVE_UP
  }

  /**
   * Tries so far: how many in the current pool, and whether the request already moved to a larger pool for its
   * context length (it moves once at most).
   */
  public record State(int triesInPool, boolean movedUp) {
    /** The state of a request's first try. */
    public static final State FIRST = new State(1, false);

    /** After another try in the same pool. */
    public State nextInPool() {
      return new State(triesInPool + 1, movedUp);
    }

    /** After moving to a larger pool. */
    public State movedToLargerPool() {
      return new State(1, true);
    }
  }

  private RetryPolicy() {
  }

  /**
   * @param failure        what ended the try
   * @param state          the tries so far
   * @param largerPool     whether a larger pool exists above the current one
   * @param poolEndpoints  endpoints in the current pool
   * @param budget         takes a token of the node's retry budget and says whether it got one; asked only
   *                       when everything else allows a retry in the pool
   */
  public static Decision decide(FailureKind failure, State state, boolean largerPool, int poolEndpoints,
      BooleanSupplier budget) {
    return switch (failure.retry()) {
      case NO -> Decision.GIVE_UP;
      case LARGER_POOL -> largerPool && !state.movedUp() ? Decision.RETRY_ON_LARGER_POOL : Decision.GIVE_UP;
      case OTHER_ENDPOINT_ONLY -> poolEndpoints > 1 ? inPool(state, budget) : Decision.GIVE_UP;
      case ANOTHER_ENDPOINT -> inPool(state, budget);
    };
  }

  private static Decision inPool(State state, BooleanSupplier budget) {
    return state.triesInPool() < TRIES_PER_POOL && budget.getAsBoolean() ? Decision.RETRY_IN_POOL : Decision.GIVE_UP;
  }
}
