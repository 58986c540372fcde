package dev.sluice.dispatcher;

import dev.sluice.dispatcher.api.Api;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.EstimatorSettings;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.exact.ExactCountMeters;
import dev.sluice.dispatcher.exact.TokenizeClient;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.scan.BodyScanner;
import dev.sluice.dispatcher.scan.ScanLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact count at the pool boundary over HTTP: a request whose estimated band holds the short pool's
 * context (1,000 tokens) is counted by the short pool's {@code /tokenize} before it is routed, and routed on
 * its estimate when the count fails or comes too late.
 */
class ExactCountHttpTest extends TwoPoolHttpFixture {

  /**
   * A deadline a first count meets even on a loaded machine, where the pool's first connection is made for it;
   * the default 25 ms is for a warm node.
   */
  private static final EstimatorSettings PATIENT = new EstimatorSettings(EstimatorSettings.DEFAULTS.model(), true,
      2_000, EstimatorSettings.DEFAULTS.exactCountMaxInFlight());
  private static final String SENTENCE = "The quick brown fox jumps over the lazy dog. ";
  private static final JsonArray MESSAGES = new JsonArray().add(new JsonObject().put("role", "user")
      .put("content", SENTENCE.repeat(70)));

  /** How the short pool answers {@code /tokenize}; completions get the usual answer. */
  private void tokenizeAnswers(FakeUpstream up, java.util.function.BiConsumer<HttpServerRequest, Buffer> answer) {
    up.behavior = (self, req, body) -> {
      if (req.path().equals(TokenizeClient.PATH)) {
        answer.accept(req, body);
      } else {
        FakeUpstream.openAi(self, req, body);
      }
    };
  }

  private static void count(HttpServerRequest req, int tokens) {
    req.response().putHeader("content-type", "application/json").end(new JsonObject().put("count", tokens)
        .put("max_model_len", SHORT_CONTEXT).put("tokens", new JsonArray()).putNull("token_strs").encode());
  }

  private void start(EstimatorSettings estimator) {
    DispatcherMetrics metrics = new DispatcherMetrics();
    DispatcherConfig config = twoPools().withEstimator(estimator);
    use(Dispatcher.start(vertx, config, DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()),
        metrics, 2).await());
  }

  /** A chat body whose estimated band is centred on the short pool's context. */
  private String straddling() {
    Budget estimate = estimate(body(0));
    int maxTokens = SHORT_CONTEXT - (estimate.promptLow() + estimate.promptRouting()) / 2;
    String body = body(maxTokens);
    Budget b = estimate(body);
    assertThat(b.lowTotal()).as("the band holds the short context").isLessThanOrEqualTo(SHORT_CONTEXT);
    assertThat(b.total()).isGreaterThan(SHORT_CONTEXT);
    return body;
  }

  private static String body(int maxTokens) {
    return new JsonObject().put("model", "m").put("max_tokens", Math.max(1, maxTokens)).put("messages", MESSAGES)
        .encode();
  }

  private Budget estimate(String body) {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    scanner.feed(Buffer.buffer(body));
    return dispatcher.hooks().estimator().estimate(scanner.finish(), null, 256);
  }

  private int maxTokens(String body) {
    return new JsonObject(body).getInteger("max_tokens");
  }

  private ExactCountMeters meters() {
    return dispatcher.exactCounter().meters();
  }

  @Test
  void aCountThatFitsSendsTheRequestToTheShortPool() {
    start(PATIENT);
    String body = straddling();
    int prompt = SHORT_CONTEXT - maxTokens(body) - 50;
    tokenizeAnswers(shortUp, (req, b) -> count(req, prompt));

    Http.Reply r = http.post("/v1/chat/completions", body);

    assertThat(r.status()).isEqualTo(200);
    assertThat(List.of(r.header("x-sluice-pool"), r.header("x-sluice-estimate-source"), r.header("x-sluice-budget")))
        .containsExactly("short", "tokenizer", Integer.toString(prompt + maxTokens(body)));
    // the tokenizer was asked for the request's messages, nothing else
    JsonObject asked = new JsonObject(shortUp.received.get(0).body());
    assertThat(shortUp.received.get(0).uri()).isEqualTo("/tokenize");
    assertThat(asked).isEqualTo(new JsonObject().put("model", "m").put("messages", MESSAGES));
    assertThat(meters().countedTotal()).isEqualTo(1);
    // the count is the request's one calibration sample; the usage of a counted request is not fed again
    assertThat(dispatcher.hooks().calibration().classes().view("m").samples()).isEqualTo(1);
  }

  @Test
  void aCountThatDoesNotFitSendsItLong() {
    start(PATIENT);
    String body = straddling();
    tokenizeAnswers(shortUp, (req, b) -> count(req, SHORT_CONTEXT));

    Http.Reply r = http.post("/v1/chat/completions", body);

    assertThat(List.of(r.header("x-sluice-pool"), r.header("x-sluice-estimate-source"))).containsExactly("long",
        "tokenizer");
    assertThat(longUp.received).hasSize(1);
  }

  @Test
  void aTokenizerThatDoesNotAnswerInTimeLeavesTheRequestOnItsEstimate() {
    start(EstimatorSettings.DEFAULTS);
    String body = straddling();
    tokenizeAnswers(shortUp, (req, b) -> { }); // never answers

    long start = System.nanoTime();
    Http.Reply r = http.post("/v1/chat/completions", body);

    assertThat(r.status()).isEqualTo(200);
    assertThat(List.of(r.header("x-sluice-pool"), r.header("x-sluice-estimate-source"))).containsExactly("long",
        "calibrated");
    assertThat(List.of(meters().failedTotal(TokenizeClient.Reason.TIMEOUT), meters().countedTotal()))
        .containsExactly(1L, 0L);
    // it waited for the deadline, not for the upstream's first-byte timeout
    assertThat((System.nanoTime() - start) / 1e6).isLessThan(5_000);
  }

  @Test
  void aTokenizerErrorLeavesTheRequestOnItsEstimate() {
    start(PATIENT);
    String body = straddling();
    tokenizeAnswers(shortUp, (req, b) -> req.response().setStatusCode(404)
        .end("{\"error\":{\"message\":\"The model `m` does not exist.\",\"code\":404}}"));

    Http.Reply r = http.post("/v1/chat/completions", body);

    assertThat(List.of(r.header("x-sluice-pool"), r.header("x-sluice-estimate-source"))).containsExactly("long",
        "calibrated");
    assertThat(meters().failedTotal(TokenizeClient.Reason.ERROR)).isEqualTo(1);
  }

  @Test
  void turnedOffNothingIsCounted() {
    start(EstimatorSettings.DEFAULTS.withExactCount(false));
    String body = straddling();
    tokenizeAnswers(shortUp, (req, b) -> count(req, 10));

    Http.Reply r = http.post("/v1/chat/completions", body);

    assertThat(List.of(r.header("x-sluice-pool"), r.header("x-sluice-estimate-source"))).containsExactly("long",
        "calibrated");
    assertThat(shortUp.received).isEmpty();
  }

  @Test
  void aRequestFarFromEveryContextIsNotCounted() {
    start(EstimatorSettings.DEFAULTS);
    tokenizeAnswers(shortUp, (req, b) -> count(req, 10));

    Http.Reply r = http.post("/v1/chat/completions", body(10).replace(SENTENCE.repeat(70), "Hi there."));

    assertThat(List.of(r.header("x-sluice-pool"), r.header("x-sluice-estimate-source"))).containsExactly("short",
        "calibrated");
    assertThat(shortUp.received).extracting(FakeUpstream.Received::uri).containsExactly("/v1/chat/completions");
  }
}
