package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.FixedRatioEstimator;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.relay.ResponseTap;
import dev.sluice.dispatcher.relay.ResponseTapFactory;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.testkit.Eventually;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bug in Sluice's own code on the request path is never silent and never blamed on an upstream: it is logged
 * with its stack trace and the request id, counted as {@code local}, and answered in OpenAI's shape (a 500
 * before the first byte, a cut stream after it).
 */
class CrashHttpTest extends TwoPoolHttpFixture {
  private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM =
      "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final Logger logger = Logger.getLogger("sluice.request");
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void listen() {
    logger.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    logger.removeHandler(capture);
  }

  private void start(Estimator estimator, ResponseTapFactory taps) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, twoPools(), new DispatcherHooks(estimator, taps, false), metrics, 2).await());
  }

  @Test
  void aFailingStepBeforeTheRelayIsA500CountedAsLocal() {
    Estimator broken = new Estimator() {
      @Override
      public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
        throw new IllegalStateException("estimator bug");
      }

      @Override
      public void observe(Budget budget, int actualPromptTokens) {
      }
    };
    start(broken, ResponseTapFactory.NONE);
    Http.Reply reply = http.post("/v1/chat/completions", CHAT);
    assertThat(List.of(reply.status(), reply.error().getString("code"))).containsExactly(500, "internal_error");
    assertThat(shortUp.received).isEmpty();
    assertThat(admin.get("/metrics").text()).contains("sluice_failures_total{category=\"local\",code=\"internal_error\"} 1.0")
        .doesNotContain("category=\"origin\"");
    Eventually.eventually(() -> !logged.isEmpty(), "the bug was logged");
    assertThat(logged.get(0).getThrown()).hasMessage("estimator bug");
    assertThat(logged.get(0).getMessage()).contains(reply.header("x-request-id"));
  }

  @Test
  void aFailingTapAfterTheFirstByteCutsTheStreamAndCountsAsLocal() {
    ResponseTapFactory brokenAfterOneChunk = (facts, budget, strip) -> new ResponseTap() {
      private int chunks;

      @Override
      public Buffer onChunk(Buffer chunk) {
        if (++chunks > 1) {
          throw new IllegalStateException("tap bug");
        }
        return chunk;
      }

      @Override
      public Buffer onEnd() {
        return Buffer.buffer();
      }

      @Override
      public int promptTokens() {
        return -1;
      }
    };
    start(new FixedRatioEstimator(4.0), brokenAfterOneChunk);
    Http.Reply reply = http.post("/v1/chat/completions", STREAM);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).doesNotContain("[DONE]").contains("\"code\":\"internal_error\"");
    // the client can read the cut stream before the node has recorded how it ended
    Eventually.assertEventually(Eventually.LIMIT, () -> assertThat(admin.get("/metrics").text())
        .contains("sluice_failures_total{category=\"local\",code=\"internal_error\"} 1.0",
            "sluice_requests_total{pool=\"short\",status=\"aborted\"} 1.0"));
    Eventually.eventually(() -> !logged.isEmpty(), "the bug was logged");
    assertThat(logged.get(0).getThrown()).hasMessage("tap bug");
  }
}
