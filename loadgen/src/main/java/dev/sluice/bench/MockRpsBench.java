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
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./sluice bench mock-rps}: closed-loop non-streaming requests per second against one mock vLLM. Each of
 * {@code --connections} loops sends a small chat request and sends the next as soon as the answer is read.
 * With {@code --spawn}, the mock is started as a child process (pinned with taskset to {@code --mock-cpu}) and
 * stopped afterwards; otherwise it must already listen on {@code --port}.
 */
public final class MockRpsBench {

  private static final String HELP = """
      usage: ./sluice bench mock-rps [--spawn] [--mock-cpu N] [--port N] [--connections N] [--warmup S]
                                     [--seconds S] [--max-tokens N] [--tokenizer bytes|cl100k|o200k]
                                     [--stream]
      """;

  private MockRpsBench() {
  }

  public static void main(String[] args) throws Exception {
    boolean spawn = false;
    String mockCpu = null;
    int port = 18_600;
    int connections = 64;
    int warmup = 5;
    int seconds = 15;
    int maxTokens = 16;
    String tokenizer = "bytes";
    boolean stream = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spawn" -> spawn = true;
        case "--mock-cpu" -> mockCpu = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
        case "--tokenizer" -> tokenizer = args[++i];
        case "--stream" -> stream = true;
        default -> {
          System.out.print(HELP);
          return;
        }
      }
    }
    Process mock = spawn ? spawnMock(mockCpu, port, tokenizer) : null;
    try {
      run(port, connections, warmup, seconds, maxTokens, stream, mock == null ? -1 : mock.pid());
    } finally {
      if (mock != null) {
        mock.destroy();
        mock.waitFor();
      }
    }
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
