package dev.sluice.bench;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.estimate.CalibratingEstimator;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.Estimators;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.observe.AccessRecord;
import dev.sluice.dispatcher.relay.ForwardedHeaders;
import dev.sluice.dispatcher.scan.BodyScanner;
import dev.sluice.dispatcher.scan.ScanLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./sluice bench edges [seconds per case]}: the work at a request's edges, outside its scan and its relay, by
 * thread CPU time (best of five rounds, as {@code bench stream-taps}): a chat request's headers as OpenAI's Python SDK
 * sends them, copied to the upstream request; vLLM's response headers copied to the client's response (each into a
 * fresh header map of the kind Vert.x gives a request or a response, which validates every name and value it takes);
 * the usage sample an answer brings back, handed to the dispatcher's calibrating estimator as the relay hands it, one
 * after another as fast as they come (the estimate of proxy-ab's 1.2 KB chat body, its count off by 0 to 6 tokens);
 * and the request's access-log line, formatted and written through the log's own sink into a stream that discards
 * it, flushed once per 1,024 lines as the log's writer does per batch.
 */
public final class EdgeBench {
  private static final int BATCH = 1024;

  private EdgeBench() {
  }

  /** What OpenAI's Python SDK sends with a chat completion (Stainless headers included), through a keep-alive. */
  static MultiMap sdkRequest() {
    return HttpHeaders.headers()
        .add("host", "sluice.internal:8080")
        .add("accept-encoding", "gzip, deflate")
        .add("connection", "keep-alive")
        .add("accept", "application/json")
        .add("content-type", "application/json")
        .add("user-agent", "OpenAI/Python 1.99.9")
        .add("x-stainless-lang", "python")
        .add("x-stainless-package-version", "1.99.9")
        .add("x-stainless-os", "Linux")
        .add("x-stainless-arch", "x64")
        .add("x-stainless-runtime", "CPython")
        .add("x-stainless-runtime-version", "3.12.3")
        .add("authorization", "Bearer sk-sluice-0123456789abcdef")
        .add("x-stainless-async", "false")
        .add("x-stainless-retry-count", "0")
        .add("x-stainless-read-timeout", "600")
        .add("content-length", "1234");
  }

  /** What vLLM's OpenAI server (uvicorn) answers a non-streaming chat completion with. */
  static MultiMap vllmResponse() {
    return HttpHeaders.headers()
        .add("date", "Thu, 03 Dec 2026 22:30:00 GMT")
        .add("server", "uvicorn")
        .add("content-length", "812")
        .add("content-type", "application/json");
  }

  /** A served chat request's record, with a generated request id, as the log writes it. */
  static AccessRecord servedRecord() {
    return new AccessRecord(1764801000123L, "9f3c2a1e-5b7d-4c8e-a1f2-3b4c5d6e7f80", "short",
        "http://10.0.3.17:8000", "prose", 1187, 291, 355, 288, 200, 0, 41.3, 612.7, "ok", null);
  }

  /** The estimate of proxy-ab's chat body (1.2 KB of "hello world "), as the relay holds it when the usage comes. */
  static Budget chatBudget(Estimator estimator) {
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "hello world ".repeat(100)
        + "\"}],\"max_tokens\":64}";
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    scanner.feed(Buffer.buffer(body));
    return estimator.estimate(scanner.finish(), null, 64);
  }

  /** {@code ./sluice bench edges [SECONDS]}. */
  @Command(name = "edges", description = "The work at a request's edges: header copies up and down, the usage "
      + "sample, the access-log line (thread CPU time).")
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "SECONDS", arity = "0..1", defaultValue = "1",
        description = "CPU seconds per case (default ${DEFAULT-VALUE})")
    double seconds;

    @Override
    public Integer call() {
      System.out.print(EdgeBench.run(seconds));
      return 0;
    }
  }

  private record Case(String name, String size, LongSupplier op) {
  }

  /** The table the command prints: each case's CPU time per operation. */
  static String run(double seconds) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    MultiMap request = sdkRequest();
    MultiMap response = vllmResponse();
    AccessRecord record = servedRecord();
    long[] bytes = new long[1];
    OutputStream counting = new OutputStream() {
      @Override
      public void write(int b) {
        bytes[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        bytes[0] += len;
      }
    };
    AccessLog.Lines lines = new AccessLog.Lines(AccessLog.sinkTo(counting));
    int[] inBatch = new int[1];
    Estimator estimator = Estimators.calibrating(CalibrationParams.defaults(), CalibratingEstimator.Model.CLASSES,
        new SimpleMeterRegistry());
    Budget budget = chatBudget(estimator);
    int[] sample = new int[1];
    List<Case> cases = List.of(
        new Case("request headers up", request.size() + " headers", () -> {
          MultiMap to = HttpHeaders.headers();
          ForwardedHeaders.copyRequest(request, to);
          return to.isEmpty() ? 0 : 1;
        }),
        new Case("response headers down", response.size() + " headers", () -> {
          MultiMap to = HttpHeaders.headers();
          ForwardedHeaders.copyResponse(response, to);
          return to.isEmpty() ? 0 : 1;
        }),
        new Case("usage sample", budget.textBytes() + " B prompt", () -> {
          estimator.observe(budget, budget.promptEstimate() + sample[0]++ % 7);
          return sample[0];
        }),
        new Case("access-log line", record.toJson().length() + 1 + " bytes", () -> {
          try {
            lines.write(record);
            if (++inBatch[0] == BATCH) {
              inBatch[0] = 0;
              lines.flush();
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return bytes[0];
        }));
    long[] sink = new long[1];
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-24s %12s %12s%n", "case", "size", "cpu ns/op"));
    for (Case c : cases) {
      Runnable run = () -> sink[0] += c.op().getAsLong();
      ScannerBench.timeCpu(cpu, run, seconds / 2); // warm-up
      double nanos = ScannerBench.timeCpu(cpu, run, seconds);
      out.append(String.format(Locale.ROOT, "%-24s %12s %12.0f%n", c.name(), c.size(), nanos));
    }
    return sink[0] == 42 ? out.append('\n').toString() : out.toString();
  }
}
