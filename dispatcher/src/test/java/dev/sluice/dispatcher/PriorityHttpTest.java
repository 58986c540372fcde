package dev.sluice.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.admission.Priority;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Priority classes end to end: a saturated pool of two slots in front of an upstream that answers in 20 ms,
 * closed-loop clients of several keys and classes, and what each one waited.
 */
class PriorityHttpTest extends TwoPoolHttpFixture {
  private static final String BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final long UPSTREAM_MS = 20;

  private HttpClient loadClient;

  @AfterEach
  void closeLoadClient() {
    if (loadClient != null) {
      loadClient.close().await();
    }
  }

  private static ApiKey key(String name, Priority priority, Priority max) {
    return new ApiKey(name, ApiKeys.sha256Hex("sk-" + name), 0, 0, priority, max);
  }

  private void start(List<ApiKey> keys) {
    shortUp.behavior = (self, req, body) ->
        vertx.setTimer(UPSTREAM_MS, id -> self.json(req.response(), 200, FakeUpstream.completion("short")));
    ReliabilityConfig reliability = ReliabilityConfig.DEFAULTS
        .withHealth(OutlierPolicy.DEFAULTS.withProbing(0, 500, 0))
        .withAdmission(new AdmissionPolicy(2, 64, 30_000, 1, 5))
        .withKeys(keys);
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, twoPools(), DispatcherHooks.calibrating(CalibrationParams.defaults(),
        metrics.registry()), metrics, 2, reliability).await());
    loadClient = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64));
  }

  /**
   * What the closed-loop clients of a key saw: the latency of each answered request sent after {@code from} (the
   * first second warms up connections and code), in ms.
   */
  private static final class Seen {
    final long from;
    final List<Double> latencies = new CopyOnWriteArrayList<>();

    Seen(long from) {
      this.from = from;
    }

    double percentile(double p) {
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
  }

  /** One client of {@code key} sending a request as soon as the last one is answered, until {@code until}. */
  private Future<Void> loop(String key, String priorityHeader, long until, Seen seen) {
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> next(key, priorityHeader, until, seen, done));
    return done.future();
  }

  private void next(String key, String priorityHeader, long until, Seen seen, Promise<Void> done) {
    if (System.nanoTime() >= until) {
      done.complete();
      return;
    }
    long sent = System.nanoTime();
    loadClient.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(dispatcher.port()).setURI("/v1/chat/completions"))
        .compose(req -> {
          req.putHeader("content-type", "application/json").putHeader("authorization", "Bearer sk-" + key);
          if (priorityHeader != null) {
            req.putHeader("x-sluice-priority", priorityHeader);
          }
          return req.send(Buffer.buffer(BODY));
        })
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() == 200) {
            if (sent >= seen.from) {
              seen.latencies.add((System.nanoTime() - sent) / 1e6);
            }
          } else {
            done.fail(ar.succeeded() ? new AssertionError("status " + ar.result()) : ar.cause());
            return;
          }
          next(key, priorityHeader, until, seen, done);
        });
  }

  @Test
  void underSaturationHighWaitsFarLessThanLowAndLowIsStillServed() throws Exception {
    start(List.of(key("chat", Priority.HIGH, Priority.HIGH), key("app", Priority.NORMAL, Priority.NORMAL),
        key("batch", Priority.LOW, Priority.LOW)));
    long from = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    long until = from + TimeUnit.SECONDS.toNanos(4);
    Map<String, Seen> seen = new ConcurrentHashMap<>();
    List<Future<Void>> loops = new ArrayList<>();
    // two slots, 20 ms each: about 100 answers a second for twelve clients that all want more
    for (String key : List.of("chat", "app", "batch")) {
      Seen s = seen.computeIfAbsent(key, k -> new Seen(from));
      for (int i = 0; i < 4; i++) {
        loops.add(loop(key, null, until, s));
      }
    }
    Future.all(loops).await(30, TimeUnit.SECONDS);
    double high = seen.get("chat").percentile(0.99);
    double low = seen.get("batch").percentile(0.99);
    assertThat(seen.get("batch").latencies).as("low is still served").hasSizeGreaterThanOrEqualTo(4);
    assertThat(high).as("high p99 %.1f ms against low p99 %.1f ms", high, low).isLessThan(low / 3);
    assertThat(seen.get("chat").latencies.size()).isGreaterThan(seen.get("app").latencies.size())
        .isGreaterThan(seen.get("batch").latencies.size());
    String metrics = admin.get("/metrics").text();
    assertThat(metrics).contains("sluice_admission_wait_seconds_count{pool=\"short\",priority=\"high\"}")
        .contains("sluice_admission_wait_seconds_count{pool=\"short\",priority=\"low\"}");
  }

  @Test
  void twoKeysOfOneClassShareASaturatedPoolWhateverEachSends() throws Exception {
    start(List.of(key("big", Priority.NORMAL, Priority.NORMAL), key("small", Priority.NORMAL, Priority.NORMAL)));
    long from = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    long until = from + TimeUnit.SECONDS.toNanos(3);
    Seen big = new Seen(from);
    Seen small = new Seen(from);
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      loops.add(loop("big", null, until, big));
    }
    for (int i = 0; i < 3; i++) {
      loops.add(loop("small", null, until, small));
    }
    Future.all(loops).await(30, TimeUnit.SECONDS);
    double share = small.latencies.size() / (double) (small.latencies.size() + big.latencies.size());
    // first come, first served would give the small key a quarter (3 of 12 clients); turns give it half
    assertThat(share).as("the small key's share of the answers").isBetween(0.4, 0.6);
  }

  @Test
  void theHeaderMayLowerAlwaysAndRaiseOnlyAsFarAsTheKeyAllows() {
    start(List.of(key("app", Priority.NORMAL, Priority.NORMAL), key("ops", Priority.NORMAL, Priority.HIGH)));
    assertThat(post("app", "low").status()).isEqualTo(200);
    Http.Reply tooHigh = post("app", "high");
    assertThat(tooHigh.status() + " " + tooHigh.error().getString("code")).isEqualTo("403 priority_not_allowed");
    assertThat(post("ops", "high").status()).isEqualTo(200);
    Http.Reply nonsense = post("ops", "urgent");
    assertThat(nonsense.status() + " " + nonsense.error().getString("message"))
        .isEqualTo("400 x-sluice-priority must be high, normal or low");
    assertThat(shortUp.received).hasSize(2);
  }

  private Http.Reply post(String key, String priority) {
    return http.send(HttpMethod.POST, "/v1/chat/completions", BODY, h -> h.set("content-type", "application/json")
        .set("authorization", "Bearer sk-" + key).set("x-sluice-priority", priority), null);
  }
}
