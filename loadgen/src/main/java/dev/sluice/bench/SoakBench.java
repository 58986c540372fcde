package dev.sluice.bench;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.Dispatcher;
import dev.sluice.dispatcher.DispatcherHooks;
import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench soak}: overload and an endpoint kill against a dispatcher with admission on.
 *
 * <p>In one JVM: {@code --endpoints} paced SSE upstreams (each answer: first event after
 * {@code --ttft-ms}, then {@code --tokens} events {@code --token-ms} apart, then {@code [DONE]}), a
 * dispatcher whose one pool admits {@code --slots} requests per endpoint, and an open-loop client with
 * Poisson arrivals. Phase 1 runs at half the pool's capacity for {@code --baseline-s}; phase 2 at
 * {@code --overload} × capacity for {@code --seconds}, and at {@code --kill-at} of phase 2 the last
 * endpoint's server is closed (its open streams are cut, its port refuses). Admission lets a request
 * wait {@code --wait-ms} for a slot before answering 429.
 *
 * <p>Reports per phase: outcomes (200 complete, 429, 503, cut after the first byte, other errors,
 * client failures without a status), whether every request got exactly one outcome, admitted TTFT and
 * rejection latency percentiles, and the highest used heap seen.
 */
@Command(name = "soak", description = "Overload at 2x capacity and an endpoint kill against admission "
    + "(outcomes, TTFT, heap).")
public final class SoakBench implements Callable<Integer> {

  @Option(names = "--endpoints", paramLabel = "N", defaultValue = "2", description = "paced SSE upstreams (default ${DEFAULT-VALUE})")
  int endpoints;
  @Option(names = "--slots", paramLabel = "N", defaultValue = "16", description = "admitted requests per endpoint (default ${DEFAULT-VALUE})")
  int slots;
  @Option(names = "--tokens", paramLabel = "N", defaultValue = "40", description = "events per answer (default ${DEFAULT-VALUE})")
  int tokens;
  @Option(names = "--token-ms", paramLabel = "MS", defaultValue = "25", description = "between events (default ${DEFAULT-VALUE})")
  long tokenMs;
  @Option(names = "--ttft-ms", paramLabel = "MS", defaultValue = "50", description = "before the first event (default ${DEFAULT-VALUE})")
  long ttftMs;
  @Option(names = "--overload", paramLabel = "X", defaultValue = "2.0", description = "phase 2 rate over capacity (default ${DEFAULT-VALUE})")
  double overload;
  @Option(names = "--baseline-s", paramLabel = "S", defaultValue = "15", description = "phase 1 seconds at half capacity (default ${DEFAULT-VALUE})")
  int baselineSeconds;
  @Option(names = "--seconds", paramLabel = "S", defaultValue = "60", description = "phase 2 seconds (default ${DEFAULT-VALUE})")
  int seconds;
  @Option(names = "--kill-at", paramLabel = "F", defaultValue = "0.5", description = "share of phase 2 after which the last endpoint is killed (default ${DEFAULT-VALUE})")
  double killAt;
  @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "20", description = "admission wait for a slot before 429 (default ${DEFAULT-VALUE})")
  long waitMs;

  @Override
  public Integer call() throws Exception {
    run(new Options(endpoints, slots, tokens, tokenMs, ttftMs, overload, baselineSeconds, seconds, killAt, waitMs));
    return 0;
  }

  private record Options(int endpoints, int slots, int tokens, long tokenMs, long ttftMs, double overload,
      int baselineSeconds, int seconds, double killAt, long waitMs) {

    double serviceSeconds() {
      return (ttftMs + tokens * tokenMs) / 1000.0;
    }

    /** Requests per second the pool can finish when every slot is busy. */
    double capacityRate() {
      return endpoints * slots / serviceSeconds();
    }
  }

  /** Outcome counters and latency recorders of one phase. */
  private static final class Phase {
    final String name;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong outcomes = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong complete = new AtomicLong();
    final AtomicLong rejected429 = new AtomicLong();
    final AtomicLong rejected503 = new AtomicLong();
    final AtomicLong cutAfterStart = new AtomicLong();
    final AtomicLong otherStatus = new AtomicLong();
    final AtomicLong noStatus = new AtomicLong();
    final Recorder ttft = new Recorder(3);
    final Recorder rejectLatency = new Recorder(3);

    Phase(String name) {
      this.name = name;
    }
  }

  private static void run(Options o) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<HttpServer> upstreams = new ArrayList<>();
    for (int i = 0; i < o.endpoints(); i++) {
      upstreams.add(upstream(vertx, o).await());
    }
    List<URI> urls = upstreams.stream().map(s -> URI.create("http://127.0.0.1:" + s.actualPort())).toList();
    DispatcherConfig config = DispatcherConfig.defaults().withHost("127.0.0.1").withPort(0)
        .withPool(new PoolConfig("short", 8192, urls));
    ReliabilityConfig reliability = ReliabilityConfig.DEFAULTS
        .withHealth(OutlierPolicy.DEFAULTS.withProbing(500, 250, 0))
        .withAdmission(new AdmissionPolicy(o.slots(), o.slots(), o.waitMs(), 1, 5));
    DispatcherMetrics metrics = new DispatcherMetrics();
    Dispatcher dispatcher = Dispatcher.start(vertx, config, hooks(metrics), metrics,
        2, reliability).await();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(4096).setMaxWaitQueueSize(-1));

    AtomicLong maxHeap = new AtomicLong();
    long heapTimer = vertx.setPeriodic(200, id -> {
      Runtime rt = Runtime.getRuntime();
      maxHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
    });

    System.out.printf(Locale.ROOT, "soak: %d endpoints x %d slots, service %.2f s, capacity %.1f req/s%n",
        o.endpoints(), o.slots(), o.serviceSeconds(), o.capacityRate());
    Phase baseline = run(vertx, client, dispatcher.port(), o, "baseline", 0.5 * o.capacityRate(), o.baselineSeconds(), -1, null);
    report(baseline, maxHeap.get());
    maxHeap.set(0);
    HttpServer victim = upstreams.get(upstreams.size() - 1);
    Phase burst = run(vertx, client, dispatcher.port(), o, "burst", o.overload() * o.capacityRate(), o.seconds(),
        (long) (o.killAt() * o.seconds() * 1000), victim);
    report(burst, maxHeap.get());
    System.out.printf(Locale.ROOT, "heap max (whole JVM: client, dispatcher and upstreams) %.1f MiB of %.1f MiB%n",
        maxHeap.get() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);

    vertx.cancelTimer(heapTimer);
    dispatcher.stop().await(10, TimeUnit.SECONDS);
    client.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A paced SSE upstream with no concurrency limit of its own: the dispatcher's admission is the bound. */
  private static Future<HttpServer> upstream(Vertx vertx, Options o) {
    return vertx.createHttpServer().requestHandler(req -> {
      if (!req.path().startsWith("/v1/")) {
        req.response().end();
        return;
      }
      req.body().onSuccess(body -> {
        HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
        AtomicInteger left = new AtomicInteger(o.tokens());
        vertx.setTimer(o.ttftMs(), first -> pace(vertx, resp, left, o.tokenMs()));
      });
    }).listen(0, "127.0.0.1");
  }

  private static final Buffer EVENT = Buffer.buffer(
      "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"}}]}\n\n");
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private static void pace(Vertx vertx, HttpServerResponse resp, AtomicInteger left, long tokenMs) {
    if (resp.closed()) {
      return;
    }
    if (left.getAndDecrement() <= 0) {
      resp.end(DONE);
      return;
    }
    resp.write(EVENT);
    vertx.setTimer(tokenMs, t -> pace(vertx, resp, left, tokenMs));
  }

  private static Phase run(Vertx vertx, HttpClientAgent client, int port, Options o, String name, double rate,
      int seconds, long killAfterMillis, HttpServer victim) throws Exception {
    Phase phase = new Phase(name);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    Promise<Void> arrivalsDone = Promise.promise();
    AtomicBoolean killed = new AtomicBoolean();
    vertx.runOnContext(v -> scheduleNext(vertx, client, port, phase, rate, end, arrivalsDone));
    if (killAfterMillis >= 0 && victim != null) {
      vertx.setTimer(Math.max(1, killAfterMillis), id -> victim.close().onComplete(ar -> {
        killed.set(true);
        System.out.printf(Locale.ROOT, "  [%s] killed endpoint :%d at %.1f s%n", name, victim.actualPort(),
            (System.nanoTime() - start) / 1e9);
      }));
    }
    arrivalsDone.future().await(seconds + 30L, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (phase.outcomes.get() < phase.sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return phase;
  }

  private static void scheduleNext(Vertx vertx, HttpClientAgent client, int port, Phase phase, double rate, long end,
      Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.tryComplete();
      return;
    }
    fire(client, port, phase);
    double gapMillis = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) * 1000.0 / rate;
    vertx.setTimer(Math.max(1, Math.round(gapMillis)), id -> scheduleNext(vertx, client, port, phase, rate, end, done));
  }

  private static final Buffer BODY = Buffer.buffer(
      "{\"model\":\"m\",\"stream\":true,\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a short story about a river lock.\"}]}");

  private static void fire(HttpClientAgent client, int port, Phase phase) {
    phase.sent.incrementAndGet();
    long t0 = System.nanoTime();
    AtomicBoolean finished = new AtomicBoolean();
    Runnable once = () -> {
      if (!finished.compareAndSet(false, true)) {
        phase.duplicates.incrementAndGet();
      }
      phase.outcomes.incrementAndGet();
    };
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(req -> req.send(BODY))
        .onFailure(err -> {
          phase.noStatus.incrementAndGet();
          once.run();
        })
        .onSuccess(resp -> {
          int status = resp.statusCode();
          boolean[] first = {true};
          boolean[] sawDone = {false};
          // the last bytes seen, so a [DONE] split across two chunks is still recognised
          StringBuilder tail = new StringBuilder();
          resp.handler(chunk -> {
            if (first[0]) {
              first[0] = false;
              if (status == 200) {
                phase.ttft.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
              }
            }
            String text = chunk.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            tail.append(text.length() > 32 ? text.substring(text.length() - 32) : text);
            if (tail.indexOf("[DONE]") >= 0) {
              sawDone[0] = true;
            }
            if (tail.length() > 32) {
              tail.delete(0, tail.length() - 32);
            }
          });
          resp.exceptionHandler(err -> {
            if (status == 200) {
              phase.cutAfterStart.incrementAndGet();
            } else {
              phase.otherStatus.incrementAndGet();
            }
            once.run();
          });
          resp.endHandler(v -> {
            long micros = Math.max(1, (System.nanoTime() - t0) / 1000);
            if (status == 200 && sawDone[0]) {
              phase.complete.incrementAndGet();
            } else if (status == 200) {
              phase.cutAfterStart.incrementAndGet();
            } else if (status == 429) {
              phase.rejected429.incrementAndGet();
              phase.rejectLatency.recordValue(micros);
            } else if (status == 503) {
              phase.rejected503.incrementAndGet();
              phase.rejectLatency.recordValue(micros);
            } else {
              phase.otherStatus.incrementAndGet();
            }
            once.run();
          });
        });
  }

  private static void report(Phase p, long maxHeap) {
    Histogram ttft = p.ttft.getIntervalHistogram();
    Histogram rej = p.rejectLatency.getIntervalHistogram();
    long missing = p.sent.get() - p.outcomes.get();
    System.out.printf(Locale.ROOT, "%s: sent %d, outcomes %d (missing %d, duplicated %d)%n", p.name, p.sent.get(),
        p.outcomes.get(), missing, p.duplicates.get());
    System.out.printf(Locale.ROOT, "  200 complete %d | 429 %d | 503 %d | cut after first byte %d | other status %d | no status %d%n",
        p.complete.get(), p.rejected429.get(), p.rejected503.get(), p.cutAfterStart.get(), p.otherStatus.get(),
        p.noStatus.get());
    System.out.printf(Locale.ROOT, "  admitted TTFT ms p50 %.1f p99 %.1f max %.1f (n=%d)%n",
        ttft.getValueAtPercentile(50) / 1000.0, ttft.getValueAtPercentile(99) / 1000.0, ttft.getMaxValue() / 1000.0,
        ttft.getTotalCount());
    System.out.printf(Locale.ROOT, "  rejection latency ms p50 %.1f p99 %.1f max %.1f (n=%d)%n",
        rej.getValueAtPercentile(50) / 1000.0, rej.getValueAtPercentile(99) / 1000.0, rej.getMaxValue() / 1000.0,
        rej.getTotalCount());
    System.out.printf(Locale.ROOT, "  heap max during phase %.1f MiB%n", maxHeap / 1048576.0);
  }

  private static DispatcherHooks hooks(DispatcherMetrics metrics) {
    return DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry());
  }
}
