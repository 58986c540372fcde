package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key's tokens per minute, charged on the routing budget when a request is admitted and settled on the
 * prompt and completion tokens the upstream reported when it ends.
 */
class TokenQuotaHttpTest extends TwoPoolHttpFixture {
  private static final String KEY = "sk-tenant";

  private void start(long tokensPerMinute) {
    start(tokensPerMinute, AdmissionPolicy.DEFAULTS);
  }

  private void start(long tokensPerMinute, AdmissionPolicy admission) {
    ReliabilityConfig reliability = ReliabilityConfig.DEFAULTS
        .withHealth(OutlierPolicy.DEFAULTS.withProbing(0, 500, 0))
        .withAdmission(admission)
        .withKeys(List.of(new ApiKey("tenant", ApiKeys.sha256Hex(KEY), 0, tokensPerMinute)));
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, twoPools(), DispatcherHooks.calibrating(CalibrationParams.defaults(),
        metrics.registry()), metrics, 2, reliability).await());
  }

  private Http.Reply post(int maxTokens, boolean stream) {
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", maxTokens)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    if (stream) {
      body.put("stream", true);
    }
    return http.send(HttpMethod.POST, "/v1/chat/completions", body.encode(),
        h -> h.set("content-type", "application/json").set("authorization", "Bearer " + KEY), null);
  }

  private static String usage(int prompt, int completion) {
    return new JsonObject().put("id", "c").put("object", "chat.completion")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "ok")).put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
            .put("total_tokens", prompt + completion))
        .encode();
  }

  @Test
  void aBudgetFarAboveWhatWasUsedIsGivenBackWhenTheAnswerEnds() {
    start(1_000);
    // each request reserves more than half the minute's tokens (max_tokens 600) and uses 16
    for (int i = 0; i < 10; i++) {
      Http.Reply reply = post(600, false);
      assertThat(reply.status()).as("request %d", i).isEqualTo(200);
      assertThat(Integer.parseInt(reply.header("x-sluice-budget"))).isGreaterThan(600);
    }
  }

  @Test
  void aStreamIsSettledOnTheUsageSluiceAskedForOnTheClientsBehalf() {
    shortUp.behavior = (self, req, body) -> self.stream(req.response(), List.of(
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}],\"usage\":null}\n\n",
        "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,"
            + "\"total_tokens\":16}}\n\n"), 1, true);
    start(1_000);
    for (int i = 0; i < 5; i++) {
      Http.Reply reply = post(600, true);
      assertThat(reply.status()).as("request %d", i).isEqualTo(200);
      assertThat(reply.text()).doesNotContain("\"usage\"");
    }
  }

  @Test
  void usingMoreThanTheBudgetLeavesTheKeyInDebt() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 200, usage(12, 1_500));
    start(1_000);
    assertThat(post(20, false).status()).isEqualTo(200);
    Http.Reply refused = post(20, false);
    assertThat(refused.status() + " " + refused.error().getString("code") + " " + refused.error().getString("type"))
        .isEqualTo("429 rate_limit_exceeded tokens");
    assertThat(shortUp.received).hasSize(1);
  }

  @Test
  void aRequestRefusedAtAdmissionGetsItsTokensBack() {
    Promise<Void> release = Promise.promise();
    shortUp.behavior = (self, req, body) -> self.streamHeld(req.response(), FakeUpstream.events("short", 2), 1,
        release.future());
    start(1_000, new AdmissionPolicy(1, 0, 0, 1, 5));
    Thread holder = new Thread(() -> post(20, true));
    holder.start();
    eventually(() -> shortUp.received.size() == 1, "the first request holds the pool's only slot");
    // refused at admission after its key was charged 600-odd tokens: they come back
    assertThat(post(600, false).status()).isEqualTo(429);
    release.complete();
    join(holder);
    shortUp.behavior = FakeUpstream::openAi;
    assertThat(post(600, false).status()).isEqualTo(200);
  }
}
