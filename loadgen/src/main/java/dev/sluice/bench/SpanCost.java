package dev.sluice.bench;

import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.admission.Priority;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.config.Timeouts;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.EstimateSource;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.trace.RequestTrace;
import dev.sluice.dispatcher.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The span work of one request in isolation: the spans a traced request makes (server span, estimate, one try with
 * its context injected into the upstream headers), ended into the SDK's batch processor and exported over OTLP to
 * a collector in this process. Thread CPU time of the calling thread (what an event loop would pay) and of the
 * SDK's threads (the batch worker and the HTTP client's), per request; garbage collection is not counted.
 */
final class SpanCost {
  private SpanCost() {
  }

  static String measure(int requests) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Vertx vertx = Vertx.vertx();
    AtomicLong exported = new AtomicLong();
    HttpServer collector = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      exported.addAndGet(b.length());
      req.response().putHeader("content-type", "application/x-protobuf").end();
    })).listen(0, "127.0.0.1").await();
    Upstreams upstreams = new Upstreams(vertx, List.of(new PoolConfig("short", 8192,
        List.of(URI.create("http://127.0.0.1:1")))), new Upstreams.Settings(Timeouts.DEFAULTS, OutlierPolicy.DEFAULTS,
        AdmissionPolicy.DEFAULTS, false, Map.of(), 1), new DispatcherMetrics());
    Pool pool = upstreams.current().pool("short");
    Endpoint endpoint = pool.endpoints().get(0);
    Budget budget = new Budget("m", "prose", 1024, c -> 0, 256, 256, 300, 16, true, true,
        EstimateSource.CALIBRATED);
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%nspan work per request, %d requests a mode, thread CPU time; load average %s%n", requests,
        Files.readString(Path.of("/proc/loadavg")).strip()));
    out.append(String.format(Locale.ROOT, "%-6s %18s %22s %14s%n", "mode", "calling thread us", "SDK threads us",
        "OTLP bytes"));
    try {
      for (double ratio : new double[] {0, 0.01, 1}) {
        Tracing tracing = new Tracing(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + collector.actualPort() + "/v1/traces").build()).build(), ratio,
            "sluice-bench");
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        MultiMap upstream = MultiMap.caseInsensitiveMultiMap();
        // warm-up, then the measured run
        run(tracing, requests / 2, ratio, headers, upstream, pool, endpoint, budget);
        tracing.flush().join(30, TimeUnit.SECONDS);
        long bytesBefore = exported.get();
        Map<Long, Long> sdkBefore = sdkThreadsCpu(threads);
        long before = threads.getCurrentThreadCpuTime();
        run(tracing, requests, ratio, headers, upstream, pool, endpoint, budget);
        long calling = threads.getCurrentThreadCpuTime() - before;
        tracing.flush().join(30, TimeUnit.SECONDS);
        long sdk = 0;
        for (Map.Entry<Long, Long> e : sdkThreadsCpu(threads).entrySet()) {
          sdk += e.getValue() - sdkBefore.getOrDefault(e.getKey(), 0L);
        }
        tracing.close();
        String mode = ratio == 0 ? "0%" : ratio == 1 ? "100%" : "1%";
        out.append(String.format(Locale.ROOT, "%-6s %18.3f %22.3f %14d%n", mode, calling / 1e3 / requests,
            sdk / 1e3 / requests, exported.get() - bytesBefore));
      }
    } finally {
      vertx.close().await();
    }
    return out.toString();
  }

  /** One request's span work, {@code count} times, as the request path does it. */
  private static void run(Tracing tracing, int count, double ratio, MultiMap headers, MultiMap upstream, Pool pool,
      Endpoint endpoint, Budget budget) {
    int traced = 0;
    for (int i = 0; i < count; i++) {
      RequestTrace t = tracing.start(null, headers, "POST", "/v1/chat/completions", "req");
      if (t == null) {
        continue;
      }
      if (++traced % 500 == 0) {
        // faster than any event loop: let the exporter keep up, or its queue (2,048 spans) would drop them
        tracing.flush().join(30, TimeUnit.SECONDS);
      }
      t.estimating();
      t.estimated(budget);
      Span attempt = t.tryStarted(pool, endpoint, 1, null, budget);
      RequestTrace.inject(attempt, upstream);
      RequestTrace.answered(attempt, 200);
      attempt.end();
      t.end(200, null, "ok", "tenant", Priority.NORMAL, pool, 250);
    }
  }

  /**
   * CPU time by thread of the threads that are not this one and not Vert.x's: the SDK's batch worker and HTTP
   * client (a thread that ends in between takes its time with it).
   */
  private static Map<Long, Long> sdkThreadsCpu(ThreadMXBean threads) {
    Map<Long, Long> cpu = new HashMap<>();
    long self = Thread.currentThread().getId();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null || info.getThreadId() == self || info.getThreadName().startsWith("vert.x-")) {
        continue;
      }
      long t = threads.getThreadCpuTime(info.getThreadId());
      if (t > 0) {
        cpu.put(info.getThreadId(), t);
      }
    }
    return cpu;
  }
}
