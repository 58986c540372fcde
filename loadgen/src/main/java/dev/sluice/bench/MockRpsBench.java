package dev.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench mock-rps}: closed-loop non-streaming requests per second against one mock vLLM. Each of
 * {@code --connections} loops sends a small chat request and sends the next as soon as the answer is read.
 * With {@code --spawn}, the mock is started as a child process (pinned with taskset to {@code --mock-cpu}) and
 * stopped afterwards; otherwise it must already listen on {@code --port}.
 */
@Command(name = "mock-rps", description = "Closed-loop non-streaming req/s against one mock vLLM (instant timing).")
public final class MockRpsBench implements Callable<Integer> {

  @Option(names = "--spawn", description = "start the mock as a child process (pinned to --mock-cpu), stop it after")
  boolean spawn;
  @Option(names = "--mock-cpu", paramLabel = "N", description = "CPU list for the spawned mock (taskset -c)")
  String mockCpu;
  @Option(names = "--port", paramLabel = "N", defaultValue = "18600", description = "the mock's port (default ${DEFAULT-VALUE})")
  int port;
  @Option(names = "--connections", paramLabel = "N", defaultValue = "64", description = "closed loops (default ${DEFAULT-VALUE})")
  int connections;
  @Option(names = "--warmup", paramLabel = "S", defaultValue = "5", description = "warm-up seconds (default ${DEFAULT-VALUE})")
  int warmup;
  @Option(names = "--seconds", paramLabel = "S", defaultValue = "15", description = "measured seconds (default ${DEFAULT-VALUE})")
  int seconds;
  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "16", description = "max_tokens (default ${DEFAULT-VALUE})")
  int maxTokens;
  @Option(names = "--tokenizer", paramLabel = "bytes|cl100k|o200k", defaultValue = "bytes",
      description = "the spawned mock's tokenizer (default ${DEFAULT-VALUE})")
  String tokenizer;
  @Option(names = "--stream", description = "ask for SSE streams")
  boolean stream;

  @Override
  public Integer call() throws Exception {
    Process mock = spawn ? spawnMock(mockCpu, port, tokenizer) : null;
    try {
      run(port, connections, warmup, seconds, maxTokens, stream, mock == null ? -1 : mock.pid());
    } finally {
      if (mock != null) {
        mock.destroy();
        mock.waitFor();
      }
    }
    return 0;
  }

  private static Process spawnMock(String cpu, int port, String tokenizer) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = MockRpsBench.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    List<String> cmd = new ArrayList<>();
    if (cpu != null) {
      cmd.addAll(List.of("taskset", "-c", cpu));
    }
    cmd.addAll(List.of(java, "-Dsluice.home=" + System.getProperty("sluice.home", "."), "-jar", jar, "mock-vllm",
        "--port", "" + port, "--timing", "instant", "--tokenizer", tokenizer, "--profile", "short"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      System.out.println("[mock] " + line);
      if (line.contains("listening")) {
        return p;
      }
    }
    throw new IllegalStateException("mock exited before listening");
  }

  private static void run(int port, int connections, int warmup, int seconds, int maxTokens, boolean stream,
      long mockPid)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
    Buffer body = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", "Say hello to the benchmark."))).put("max_tokens", maxTokens).put("stream", stream).toBuffer();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/chat/completions").putHeader("content-type", "application/json");
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    boolean[] stop = {false};
    for (int i = 0; i < connections; i++) {
      loop(client, options, body, ok, failed, stop);
    }
    Thread.sleep(warmup * 1000L);
    long startOk = ok.get();
    long startFailed = failed.get();
    long cpu0 = cpuTicks(mockPid);
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long n = ok.get() - startOk;
    long cpuTicks = cpuTicks(mockPid) - cpu0;
    long errors = failed.get() - startFailed;
    double elapsed = (System.nanoTime() - t0) / 1e9;
    stop[0] = true;
    System.out.printf(Locale.ROOT, "mock-rps: %d connections, max_tokens %d%s: %.0f req/s (%d ok, %d failed in %.1f s)%n",
        connections, maxTokens, stream ? ", streaming" : "", n / elapsed, n, errors, elapsed);
    if (mockPid > 0) {
      double cpuSeconds = cpuTicks / 100.0;
      System.out.printf(Locale.ROOT, "mock-rps: mock process used %.2f CPU-s: %.0f requests per CPU-second%n",
          cpuSeconds, n / cpuSeconds);
    }
    vertx.close().await();
  }

  /** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux), from /proc/PID/stat. */
  private static long cpuTicks(long pid) {
    if (pid <= 0) {
      return 0;
    }
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", "" + pid, "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void loop(HttpClientAgent client, RequestOptions options, Buffer body, AtomicLong ok,
      AtomicLong failed, boolean[] stop) {
    if (stop[0]) {
      return;
    }
    client.request(options).compose(req -> req.send(body)).compose(MockRpsBench::drain)
        .onComplete(ar -> {
          (ar.succeeded() ? ok : failed).incrementAndGet();
          loop(client, options, body, ok, failed, stop);
        });
  }

  private static Future<Buffer> drain(HttpClientResponse resp) {
    return resp.statusCode() == 200 ? resp.body() : resp.body().compose(b -> Future.failedFuture("HTTP "
        + resp.statusCode()));
  }
}
