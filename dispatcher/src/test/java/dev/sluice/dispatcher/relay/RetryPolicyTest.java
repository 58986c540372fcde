package dev.sluice.dispatcher.relay;

import static dev.sluice.dispatcher.relay.RetryPolicy.Decision.GIVE_UP;
import static dev.sluice.dispatcher.relay.RetryPolicy.Decision.RETRY_IN_POOL;
import static dev.sluice.dispatcher.relay.RetryPolicy.Decision.RETRY_ON_LARGER_POOL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.relay.RetryPolicy.State;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The retry decision on its own: no sockets, no clock. */
class RetryPolicyTest {
  private static final BooleanSupplier BUDGET = () -> true;
  private static final BooleanSupplier NO_BUDGET = () -> false;

  @Test
  void aConnectFailureOrResetIsTriedOnceMoreInThePool() {
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_UNREACHABLE, State.FIRST, true, 2, BUDGET)).isEqualTo(RETRY_IN_POOL);
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_RESET, State.FIRST, false, 1, BUDGET)).isEqualTo(RETRY_IN_POOL);
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_RESET, State.FIRST.nextInPool(), true, 2, BUDGET))
        .isEqualTo(GIVE_UP);
  }

  @Test
  void upstreamGatewayAndBusyStatusesAreTriedOnceMoreInThePool() {
    for (int status : new int[] {502, 503, 504}) {
      assertThat(RetryPolicy.decide(FailureKind.ofUpstreamStatus(status), State.FIRST, false, 2, BUDGET))
          .as("status %d", status).isEqualTo(RETRY_IN_POOL);
    }
    assertThat(RetryPolicy.decide(FailureKind.ofUpstreamStatus(501), State.FIRST, true, 2, BUDGET)).isEqualTo(GIVE_UP);
  }

  @Test
  void aSilentEndpointIsNotAskedAgainWhenItIsThePoolsOnlyOne() {
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_TIMEOUT, State.FIRST, true, 1, BUDGET)).isEqualTo(GIVE_UP);
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_TIMEOUT, State.FIRST, true, 2, BUDGET)).isEqualTo(RETRY_IN_POOL);
  }

  @Test
  void anExhaustedRetryBudgetMeansGivingUp() {
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_RESET, State.FIRST, true, 3, NO_BUDGET)).isEqualTo(GIVE_UP);
  }

  @Test
  void theBudgetIsAskedOnlyWhenEverythingElseAllowsARetry() {
    AtomicInteger asked = new AtomicInteger();
    BooleanSupplier counting = () -> asked.incrementAndGet() > 0;
    RetryPolicy.decide(FailureKind.UPSTREAM_RESET, State.FIRST.nextInPool(), true, 3, counting);
    RetryPolicy.decide(FailureKind.UPSTREAM_TIMEOUT, State.FIRST, true, 1, counting);
    RetryPolicy.decide(FailureKind.POOL_BUSY, State.FIRST, true, 3, counting);
    RetryPolicy.decide(FailureKind.CONTEXT_LENGTH_EXCEEDED, State.FIRST, true, 3, counting);
    assertThat(asked).hasValue(0);
    RetryPolicy.decide(FailureKind.UPSTREAM_RESET, State.FIRST, true, 3, counting);
    assertThat(asked).hasValue(1);
  }

  @Test
  void aContextLengthErrorMovesUpOnceAndOnlyWhenALargerPoolExists() {
    assertThat(RetryPolicy.decide(FailureKind.CONTEXT_LENGTH_EXCEEDED, State.FIRST, true, 1, NO_BUDGET))
        .isEqualTo(RETRY_ON_LARGER_POOL);
    assertThat(RetryPolicy.decide(FailureKind.CONTEXT_LENGTH_EXCEEDED, State.FIRST, false, 1, BUDGET)).isEqualTo(GIVE_UP);
    State moved = State.FIRST.movedToLargerPool();
    assertThat(RetryPolicy.decide(FailureKind.CONTEXT_LENGTH_EXCEEDED, moved, true, 1, BUDGET)).isEqualTo(GIVE_UP);
  }

  @Test
  void movingUpGivesTheLargerPoolItsOwnTries() {
    State moved = State.FIRST.nextInPool().movedToLargerPool();
    assertThat(moved.triesInPool()).isEqualTo(1);
    assertThat(RetryPolicy.decide(FailureKind.UPSTREAM_RESET, moved, false, 2, BUDGET)).isEqualTo(RETRY_IN_POOL);
  }

  @Test
  void whatIsNeverRetried() {
    for (FailureKind kind : new FailureKind[] {FailureKind.POOL_BUSY, FailureKind.UPSTREAM_ABORTED,
        FailureKind.CLIENT_CLOSED, FailureKind.INTERNAL, FailureKind.INVALID_REQUEST, FailureKind.UPSTREAM_SERVER_ERROR}) {
      assertThat(RetryPolicy.decide(kind, State.FIRST, true, 3, BUDGET)).as(kind.name()).isEqualTo(GIVE_UP);
    }
  }

  @Test
  void givingUpOnAnUpstreamAnswerForwardsItWhileSluicesOwnFailuresAreWritten() {
    assertThat(FailureKind.UPSTREAM_UNAVAILABLE.answer()).isEqualTo(FailureKind.Answer.FORWARDED);
    assertThat(FailureKind.CONTEXT_LENGTH_EXCEEDED.status(500)).isEqualTo(400);
    assertThat(FailureKind.UPSTREAM_BAD_GATEWAY.status(502)).isEqualTo(502);
    assertThat(FailureKind.UPSTREAM_RESET.answer()).isEqualTo(FailureKind.Answer.SLUICE);
  }
}
