package dev.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench memory}: the dispatcher's heap under the two floods its memory bounds are for, each
 * against a dispatcher process of its own ({@code -Xmx}, G1, a GC log) in front of an instant upstream in this
 * process, all on loopback:
 *
 * <ul>
 *   <li><b>idle connections</b>: {@code --connections} (20,000) TCP connections opened and left silent, at most
 *       {@code --connect-rate} a second; the node holds {@code limits.max_connections} (10,000) and closes the
 *       rest. The header deadline is raised to 5 minutes for this run, so the cap (not the deadline) bounds them;</li>
 *   <li><b>concurrent bodies</b>: {@code --bodies} (1,000) requests of {@code --body-mib} (4) MiB sent at once;
 *       the node holds {@code limits.max_buffered_body_bytes} (256 MiB) of them and answers the rest 503 before
 *       reading them. With {@code --unbounded} the same flood runs once more with the budget out of the way.</li>
 * </ul>
 *
 * The heap figures come from the dispatcher's GC log: the largest heap occupancy at the start of a collection
 * (the peak it reached) and, after a full collection asked for with the flood still held, what is live.
 */
@Command(name = "memory", description = "The dispatcher's heap with 20,000 idle connections and 1,000 concurrent "
    + "4 MiB bodies against its memory bounds.")
public final class MemoryBench implements Callable<Integer> {
  private static final Pattern PAUSE = Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");
  private static final Pattern FULL = Pattern.compile("Pause Full .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)");
  private static final long PHASE_LIMIT_MILLIS = 180_000;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * What one run's GC log says: the largest occupancy at the start of a collection (garbage included), the largest
   * left after one (what was held then), after the final full collection, and the largest heap size.
   */
  private record Heap(long peakMib, long retainedMib, long liveMib, long maxMib, boolean died) {
    String describe(String liveWhen) {
      return String.format(Locale.ROOT, "dispatcher heap: occupancy up to %d MiB at a GC start, up to %d MiB left "
          + "after a GC, %d MiB live at a full GC %s; heap size up to %d MiB%s", peakMib, retainedMib, liveMib,
          liveWhen, maxMib, died ? "; the dispatcher RAN OUT OF MEMORY (see its log)" : "");
    }
  }

  public MemoryBench() {
  }

  @Option(names = "--connections", paramLabel = "N", defaultValue = "20000",
      description = "idle connections opened (default ${DEFAULT-VALUE})")
  int connections;
  @Option(names = "--connect-rate", paramLabel = "N", defaultValue = "2000",
      description = "connections opened per second at most (default ${DEFAULT-VALUE})")
  int rate;
  @Option(names = "--bodies", paramLabel = "N", defaultValue = "1000",
      description = "concurrent request bodies (default ${DEFAULT-VALUE})")
  int bodies;
  @Option(names = "--body-mib", paramLabel = "MIB", defaultValue = "4",
      description = "size of each body (default ${DEFAULT-VALUE})")
  int bodyMib;
  @Option(names = "--xmx", paramLabel = "SIZE", defaultValue = "1g",
      description = "the dispatcher's -Xmx (default ${DEFAULT-VALUE})")
  String xmx;
  @Option(names = "--unbounded", description = "run the body flood once more without the body budget")
  boolean unbounded;

  @Override
  public Integer call() throws Exception {
    Path tmp = Files.createTempDirectory("sluice-memory");
    Vertx vertx = Vertx.vertx();
    try {
      int upstream = InstantUpstream.deploy(vertx, 0, 1).await();
      System.out.printf(Locale.ROOT, "dispatcher -Xmx%s -XX:+UseG1GC; instant upstream on 127.0.0.1:%d; logs in %s%n",
          xmx, upstream, tmp);
      idle(tmp, xmx, upstream, connections, rate);
      bodies(vertx, tmp, xmx, upstream, bodies, bodyMib, null);
      if (unbounded) {
        bodies(vertx, tmp, xmx, upstream, bodies, bodyMib, Long.toString(1L << 40));
      }
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  /** A dispatcher process with its GC log; {@code env} adds SLUICE_* settings. */
  private record Node(Process process, int port, int management, Path gcLog, Path log) {
    static Node start(Path dir, String name, String xmx, int upstream, Map<String, String> env) throws Exception {
      int port = OverheadBench.freePort();
      int management = OverheadBench.freePort();
      Path gc = dir.resolve(name + "-gc.log");
      String javaBin = ProcessHandle.current().info().command().orElse("java");
      List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx" + xmx, "-XX:+UseG1GC", "-Xlog:gc:file=" + gc,
          "-cp", System.getProperty("java.class.path"), "dev.sluice.Sluice", "dispatcher", "--host", "127.0.0.1",
          "--port", Integer.toString(port), "--management-port", Integer.toString(management),
          "--pool", "short=8192@http://127.0.0.1:" + upstream));
      ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + ".log").toFile());
      b.environment().put("SLUICE_ACCESS_LOG_ENABLED", "false");
      b.environment().putAll(env);
      Process p = b.start();
      OverheadBench.awaitPort(port, p);
      return new Node(p, port, management, gc, dir.resolve(name + ".log"));
    }

    boolean outOfMemory() {
      try {
        return Files.readString(log).contains("OutOfMemoryError");
      } catch (IOException e) {
        return false;
      }
    }

    /** A full collection now, with whatever the node holds still held (jcmd from this JDK). */
    void fullGc() throws Exception {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      if (Files.isExecutable(jcmd) && process.isAlive() && !outOfMemory()) {
        new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
      }
    }

    String metrics() {
      try {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/metrics"))
            .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        return "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    }

    Heap stop() throws Exception {
      boolean died = !process.isAlive() || outOfMemory();
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        // a node out of memory may not get through its own shutdown
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      long peak = 0;
      long retained = 0;
      long live = -1;
      long max = 0;
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = PAUSE.matcher(line);
        if (m.find()) {
          peak = Math.max(peak, Long.parseLong(m.group(1)));
          retained = Math.max(retained, Long.parseLong(m.group(2)));
          max = Math.max(max, Long.parseLong(m.group(3)));
        }
        Matcher full = FULL.matcher(line);
        if (full.find() && live < 0) {
          live = Long.parseLong(full.group(2)); // the first full collection asked for
        }
      }
      return new Heap(peak, retained, live, max, died);
    }
  }

  private static double gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+-]+)").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** Opens silent connections, closing each one the node closes, and holds the rest; then a full GC. */
  private static void idle(Path dir, String xmx, int upstream, int count, int rate) throws Exception {
    Node node = Node.start(dir, "idle", xmx, upstream, Map.of("SLUICE_RELIABILITY_SERVER_HEADER_DEADLINE_MS", "300000"));
    long started = System.nanoTime();
    int opened = 0;
    int closedByNode = 0;
    int failed = 0;
    int heldMax = 0;
    double openGauge = Double.NaN;
    ByteBuffer sink = ByteBuffer.allocate(4096);
    try (Selector selector = Selector.open()) {
      long deadline = started + TimeUnit.MILLISECONDS.toNanos(PHASE_LIMIT_MILLIS);
      while (opened + failed < count && System.nanoTime() < deadline) {
        long due = started + (long) ((opened + failed) * 1e9 / rate);
        if (System.nanoTime() >= due) {
          try {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", node.port()));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            opened++;
          } catch (IOException e) {
            failed++;
          }
          if ((opened + failed) % 100 == 0) {
            closedByNode += reap(selector, sink, 0);
          }
        } else {
          closedByNode += reap(selector, sink, 1);
        }
        heldMax = Math.max(heldMax, selector.keys().size());
      }
      // let the node close what is beyond its cap, then measure with the rest held
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < settle) {
        closedByNode += reap(selector, sink, 100);
      }
      String metrics = node.metrics();
      openGauge = gauge(metrics, "sluice_client_connections");
      double refused = gauge(metrics, "sluice_client_connections_refused_total");
      int held = selector.keys().size();
      node.fullGc();
      for (SelectionKey k : selector.keys()) {
        k.channel().close();
      }
      Heap heap = node.stop();
      System.out.printf(Locale.ROOT, "idle connections: %d opened (%d failed to connect) in %.1f s; the node closed %d "
              + "(refused counter %.0f), held %.0f at the end (gauge), the client held at most %d at once%n",
          opened, failed, (System.nanoTime() - started) / 1e9, closedByNode, refused, openGauge, heldMax);
      System.out.println("  " + heap.describe("with " + held + " connections held"));
    }
  }

  /** Channels the node closed: read to the end and closed. */
  private static int reap(Selector selector, ByteBuffer sink, long waitMillis) throws IOException {
    int closed = 0;
    if ((waitMillis == 0 ? selector.selectNow() : selector.select(waitMillis)) == 0) {
      return 0;
    }
    for (SelectionKey k : new ArrayList<>(selector.selectedKeys())) {
      SocketChannel ch = (SocketChannel) k.channel();
      sink.clear();
      int n;
      try {
        n = ch.read(sink);
      } catch (IOException reset) {
        n = -1;
      }
      if (n < 0) {
        k.cancel();
        ch.close();
        closed++;
      }
    }
    selector.selectedKeys().clear();
    return closed;
  }

  /** Sends every body at once; counts the answers by status. */
  private static void bodies(Vertx vertx, Path dir, String xmx, int upstream, int count, int mib, String budget)
      throws Exception {
    String name = budget == null ? "bodies" : "bodies-unbounded";
    Node node = Node.start(dir, name, xmx, upstream, budget == null ? Map.of()
        : Map.of("SLUICE_LIMITS_MAX_BUFFERED_BODY_BYTES", budget, "SLUICE_BODY_CAP_BYTES", Integer.toString(mib << 21)));
    Buffer body = body(mib << 20);
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout(30_000), new PoolOptions().setHttp1MaxSize(count).setMaxWaitQueueSize(-1));
    Map<String, Integer> statuses = new ConcurrentHashMap<>();
    double[] heldMax = {0};
    long started = System.nanoTime();
    Thread sampler = new Thread(() -> {
      boolean collected = false;
      while (!Thread.currentThread().isInterrupted()) {
        double held = gauge(node.metrics(), "sluice_buffered_body_bytes");
        heldMax[0] = Math.max(heldMax[0], held);
        if (!collected && held >= heldMax[0] && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(2)) {
          // a full collection in the thick of it: what the node really holds with its budget in use
          collected = true;
          try {
            node.fullGc();
          } catch (Exception e) {
            // no figure then
          }
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.start();
    List<Future<Integer>> sent = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sent.add(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(node.port()).setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
          .compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> resp.statusCode())));
    }
    Future<?> all = Future.join(new ArrayList<>(sent));
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(PHASE_LIMIT_MILLIS);
    // until every request has its answer, the time is up, or the node ran out of memory (it answers no more)
    while (!all.isComplete() && System.nanoTime() < deadline && !node.outOfMemory()) {
      Thread.sleep(500);
    }
    sampler.interrupt();
    sampler.join();
    double seconds = (System.nanoTime() - started) / 1e9;
    Map<String, Integer> failures = new TreeMap<>();
    for (Future<Integer> f : sent) {
      String key = f.succeeded() ? Integer.toString(f.result()) : f.failed() ? "failed" : "unanswered";
      statuses.merge(key, 1, Integer::sum);
      if (f.failed()) {
        failures.merge(f.cause().getClass().getSimpleName() + ": " + f.cause().getMessage(), 1, Integer::sum);
      }
    }
    Heap heap = node.stop();
    try {
      client.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // connections to a node that died; the process is gone either way
    }
    System.out.printf(Locale.ROOT, "%d concurrent bodies of %d MiB, budget %s: answers %s in %.1f s; buffered body "
            + "bytes at most %.0f MiB (gauge, sampled every 100 ms)%n", count, mib,
        budget == null ? "256 MiB (default)" : "out of the way", new TreeMap<>(statuses), seconds, heldMax[0] / 1048576);
    System.out.println("  " + heap.describe("asked for during the flood"));
    failures.forEach((why, n) -> System.out.printf(Locale.ROOT, "  client failures: %d x %s%n", n, why));
  }

  /** A chat body of exactly {@code size} bytes. */
  private static Buffer body(int size) {
    String head = "{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    byte[] out = new byte[size];
    Arrays.fill(out, (byte) 'a');
    System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, out, 0, head.length());
    System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, out, size - tail.length(), tail.length());
    return Buffer.buffer(out);
  }
}
