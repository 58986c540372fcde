package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.FixedRatioEstimator;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.relay.ResponseTap;
import dev.sluice.dispatcher.relay.ResponseTapFactory;
import dev.sluice.dispatcher.scan.RequestFacts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seams the calibration work plugs into: estimator, response tap, usage rewrite. */
@ExtendWith(VertxExtension.class)
class HooksTest {
  private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":5,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private Vertx vertx;
  private FakeUpstream up;
  private Dispatcher dispatcher;
  private HttpClient client;
  private final List<Integer> observed = new CopyOnWriteArrayList<>();
  private final List<Boolean> stripFlags = new CopyOnWriteArrayList<>();
  private final StringBuilder tapped = new StringBuilder();

  /** Passes every chunk, remembers what it saw, and reports a fixed prompt count. */
  private final class RecordingTap implements ResponseTap {
    @Override
    public Buffer onChunk(Buffer chunk) {
      synchronized (tapped) {
        tapped.append(chunk.toString());
      }
      return chunk;
    }

    @Override
    public Buffer onEnd() {
      return Buffer.buffer();
    }

    @Override
    public int promptTokens() {
      return 42;
    }
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    up = new FakeUpstream(vertx, "short").start().await();
    client = vertx.createHttpClient();
    Estimator fixed = new FixedRatioEstimator(4.0);
    Estimator recording = new Estimator() {
      @Override
      public Budget estimate(RequestFacts facts, String categoryOverride, int defaultReserve) {
        return fixed.estimate(facts, categoryOverride, defaultReserve);
      }

      @Override
      public void observe(Budget budget, int actualPromptTokens) {
        observed.add(actualPromptTokens);
      }
    };
    ResponseTapFactory taps = (facts, budget, stripUsage) -> {
      stripFlags.add(stripUsage);
      return new RecordingTap();
    };
    DispatcherConfig config = DispatcherConfig.defaults().withHost("127.0.0.1").withPort(0)
        .withPool(new PoolConfig("short", 8192, List.of(URI.create(up.url()))))
        .withPool(new PoolConfig("long", 65536, List.of(URI.create(up.url()))));
    dispatcher = Dispatcher.start(vertx, config, new DispatcherHooks(recording, taps, true), new DispatcherMetrics(), 1)
        .await();
  }

  @AfterEach
  void tearDown() {
    dispatcher.stop().await();
    client.close().await();
    up.close().await();
  }

  @Test
  void streamWithoutIncludeUsageIsRewrittenToAskForIt() {
    new Http(vertx, client, dispatcher.port()).post("/v1/chat/completions", STREAM);
    assertThat(up.received.get(0).body().toString()).contains("\"include_usage\":true");
  }

  @Test
  void tapIsToldToStripTheUsageItAskedFor() {
    new Http(vertx, client, dispatcher.port()).post("/v1/chat/completions", STREAM);
    assertThat(stripFlags).containsExactly(true);
  }

  @Test
  void tapSeesTheWholeStream() {
    new Http(vertx, client, dispatcher.port()).post("/v1/chat/completions", STREAM);
    assertThat(tapped.toString()).isEqualTo(up.sent.toString());
  }

  @Test
  void promptTokensReadByTheTapReachTheEstimator() {
    new Http(vertx, client, dispatcher.port()).post("/v1/chat/completions", STREAM);
    assertThat(observed).containsExactly(42);
  }

  @Test
  void clientThatAskedForUsageKeepsItsBodyUnchanged() {
    String asked = STREAM.replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    new Http(vertx, client, dispatcher.port()).post("/v1/chat/completions", asked);
    assertThat(List.of(up.received.get(0).body().toString(), String.valueOf(stripFlags.get(0))))
        .containsExactly(asked, "false");
  }

  @Test
  void requestThatWouldHaveFitTheShortPoolIsCountedAsOver() {
    // 40000 bytes at 4 bytes/token route long; the upstream then reports a 42-token prompt
    String body = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\""
        + "a".repeat(40_000) + "\"}]}";
    Http http = new Http(vertx, client, dispatcher.port());
    http.post("/v1/chat/completions", body);
    assertThat(new Http(vertx, client, dispatcher.managementPort()).get("/metrics").text()).contains("sluice_misroutes_total{kind=\"over\"} 1.0");
  }

  @Test
  void contextLengthErrorStatingThePromptIsACalibrationSample() {
    up.behavior = (self, req, body) -> {
      if (self.received.size() == 1) {
        self.json(req.response(), 400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. "
            + "However, you requested 9000 tokens (8990 in the messages, 10 in the completion).\",\"code\":400}}");
      } else {
        FakeUpstream.openAi(self, req, body);
      }
    };
    new Http(vertx, client, dispatcher.port()).post("/v1/chat/completions", STREAM);
    assertThat(observed).containsExactly(8990, 42);
  }
}
