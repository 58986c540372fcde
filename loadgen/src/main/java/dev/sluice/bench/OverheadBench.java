package dev.sluice.bench;

import dev.sluice.loadgen.ArrivalPlan;
import dev.sluice.loadgen.LoadRun;
import dev.sluice.loadgen.LoadSpec;
import dev.sluice.loadgen.Loadgen;
import dev.sluice.loadgen.RunResult;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench overhead}: what a proxy costs. Starts an {@code instant} mock vLLM, a Sluice dispatcher in
 * front of it and, when nginx is on the PATH, an nginx reverse proxy in front of the same mock, all as child
 * processes pinned with taskset where available. Then drives the same open-loop schedule directly, through Sluice and
 * through nginx, and measures each proxy's closed-loop maximum rate.
 *
 * <p>Each proxy gets the same CPUs to itself; the mock and the generator share the others. Both proxies keep an
 * access log (Sluice its default one, nginx a buffered one), as they would in service.
 */
@Command(name = "overhead", description = "Proxy overhead: direct vs Sluice vs nginx over instant mocks.")
public final class OverheadBench implements Callable<Integer> {

  @Option(names = "--rates", paramLabel = "R,R...", split = ",", defaultValue = "2000,5000,10000",
      description = "open-loop rates (default ${DEFAULT-VALUE})")
  List<Double> rates;
  @Option(names = "--duration", paramLabel = "D", defaultValue = "20s", description = "per rate (default ${DEFAULT-VALUE})")
  String duration;
  @Option(names = "--warmup", paramLabel = "D", defaultValue = "5s", description = "per rate (default ${DEFAULT-VALUE})")
  String warmup;
  @Option(names = "--stream", description = "SSE streams")
  boolean stream;
  @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "256", description = "(default ${DEFAULT-VALUE})")
  int promptTokens;
  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "16", description = "(default ${DEFAULT-VALUE})")
  int maxTokens;
  @Option(names = "--closed", paramLabel = "N", defaultValue = "64",
      description = "requests in flight of the closed-loop maximum (default ${DEFAULT-VALUE})")
  int closed;
  @Option(names = "--closed-duration", paramLabel = "D", defaultValue = "10s", description = "(default ${DEFAULT-VALUE})")
  String closedDuration;
  @Option(names = "--prime", paramLabel = "D", defaultValue = "15s",
      description = "unrecorded closed-loop pass over every target first (default ${DEFAULT-VALUE})")
  String prime;
  @Option(names = "--proxy-cpus", paramLabel = "LIST", description = "CPUs of the proxy under test (default: the last)")
  String proxyCpus;
  @Option(names = "--mock-cpus", paramLabel = "LIST", description = "CPUs of the mock and generator (default: the others)")
  String mockCpus;
  @Option(names = "--connections", paramLabel = "N", defaultValue = "256", description = "(default ${DEFAULT-VALUE})")
  int connections;
  @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "rounds (default ${DEFAULT-VALUE})")
  int repeats;
  @Option(names = "--no-nginx", description = "compare with Sluice only")
  boolean noNginx;

  private static final long READY_TIMEOUT_MILLIS = 60_000;
  private static final String MODEL = "sluice-bench";

  /** One proxy (or none) between the generator and the mock. */
  private record Target(String name, int port, Process process) {
  }

  /** One measured row. */
  private record Row(String target, double rate, RunResult result, double cpuSecondsPer1k) {
  }

  /** A closed-loop run: the rate reached and the proxy's CPU use while reaching it (NaN for the direct target). */
  private record Closed(double rate, double cpuBusy) {
    /**
     * The rate the proxy would reach with a whole CPU busy: the figure to compare when the load side, not the
     * proxy, is the limit.
     */
    double perCpuSecond() {
      return rate / cpuBusy;
    }
  }

  @Override
  public Integer call() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    // the proxy under test alone on the last CPU, everything that makes load on the others
    String proxyCpus = this.proxyCpus != null ? this.proxyCpus : Integer.toString(cores - 1);
    String mockCpus = this.mockCpus != null ? this.mockCpus : cores > 2 ? "0-" + (cores - 2) : "0";
    long duration = Loadgen.parseDuration(this.duration);
    long warmup = Loadgen.parseDuration(this.warmup);
    long closedDuration = Loadgen.parseDuration(this.closedDuration);
    long primeNanos = Loadgen.parseDuration(prime);

    List<Process> children = new ArrayList<>();
    Path tmp = Files.createTempDirectory("sluice-overhead");
    pinSelf(mockCpus);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> children.forEach(Process::destroyForcibly)));
    try {
      int mockPort = freePort();
      children.add(java(mockCpus, tmp.resolve("mock.log"), "mock-vllm", "--port", Integer.toString(mockPort),
          "--timing", "instant", "--tokenizer", "bytes", "--model", MODEL, "--max-num-seqs", "100000",
          "--max-num-batched-tokens", "100000", "--kv-blocks", "10000000"));
      awaitPort(mockPort, children.get(0));
      List<Target> targets = new ArrayList<>();
      targets.add(new Target("direct", mockPort, null));
      int sluicePort = freePort();
      Process sluice = java(proxyCpus, tmp.resolve("dispatcher.log"), "dispatcher", "--port",
          Integer.toString(sluicePort), "--management-port", "0", "--pool", "short=8192@http://127.0.0.1:" + mockPort);
      children.add(sluice);
      awaitPort(sluicePort, sluice);
      targets.add(new Target("sluice", sluicePort, sluice));
      String nginx = noNginx ? null : onPath("nginx");
      if (nginx != null) {
        int nginxPort = freePort();
        Process p = nginx(nginx, proxyCpus, tmp, nginxPort, mockPort);
        children.add(p);
        awaitPort(nginxPort, p);
        targets.add(new Target("nginx", nginxPort, p));
      } else {
        System.err.println("overhead: nginx not on the PATH (apt-get install -y nginx); comparing with Sluice only");
      }

      Loadgen.Options base = Loadgen.parse(new String[] {"--target", "http://127.0.0.1:" + mockPort, "--rate", "1",
          "--prompt-tokens", Integer.toString(promptTokens), "--max-tokens",
          Integer.toString(maxTokens), "--bodies", "256", "--no-progress"});
      Loadgen.Options withStream = stream ? Loadgen.parse(new String[] {"--target", "http://127.0.0.1:" + mockPort,
          "--rate", "1", "--stream", "--prompt-tokens", Integer.toString(promptTokens), "--max-tokens",
          Integer.toString(maxTokens), "--bodies", "256", "--no-progress"}) : base;
      Loadgen.Prepared prepared = Loadgen.prepare(withStream);
      int verticles = Math.max(1, cores);
      Vertx vertx = Loadgen.vertx(verticles);
      List<Row> rows = new ArrayList<>();
      Map<String, List<Closed>> closedRates = new LinkedHashMap<>();
      try {
        // an unrecorded closed-loop pass over every target first, so that no target pays for the generator's (or its
        // own) cold JIT; then the recorded closed loop, then the open-loop rates
        for (Target t : targets) {
          LoadSpec prime = LoadSpec.openLoop("127.0.0.1", t.port(), LoadSpec.DEFAULT_PATH, stream, closed,
              Math.max(closed, verticles), verticles, 0, 0, 30_000).closedLoop(closed, primeNanos);
          new LoadRun(vertx, prime, new ArrivalPlan(new long[0], new int[0]), prepared.bodies(), null).run();
        }
        // repeated rounds, each in a rotated target order: a burst of noise on a shared machine then hits different
        // targets in different rounds, and the table reports medians
        for (int round = 0; round < repeats; round++) {
          List<Target> order = new ArrayList<>(targets);
          Collections.rotate(order, -round);
          for (Target t : order) {
            LoadSpec spec = LoadSpec.openLoop("127.0.0.1", t.port(), LoadSpec.DEFAULT_PATH, stream, closed,
                Math.max(closed, verticles), verticles, TimeUnit.SECONDS.toNanos(2), 0, 30_000)
                .closedLoop(closed, TimeUnit.SECONDS.toNanos(2) + closedDuration);
            LoadRun run = new LoadRun(vertx, spec, new ArrivalPlan(new long[0], new int[0]), prepared.bodies(), null);
            // CPU over the measured part only: the first 2 s of the run are its warm-up
            double[] atWarm = new double[2];
            vertx.setTimer(TimeUnit.SECONDS.toMillis(2), id -> {
              atWarm[0] = cpuSeconds(t.process());
              atWarm[1] = System.nanoTime() / 1e9;
            });
            RunResult r = run.run();
            double busy = (cpuSeconds(t.process()) - atWarm[0]) / (System.nanoTime() / 1e9 - atWarm[1]);
            double rate = r.completed() / (closedDuration / 1e9);
            Closed c = new Closed(rate, t.process() == null ? Double.NaN : busy);
            closedRates.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(c);
            System.err.printf(Locale.ROOT, "overhead: %-6s closed loop (%d in flight): %.0f req/s, proxy CPU %.2f%n",
                t.name(), closed, c.rate(), c.cpuBusy());
          }
          for (double rate : rates) {
            for (Target t : order) {
              LoadSpec spec = LoadSpec.openLoop("127.0.0.1", t.port(), LoadSpec.DEFAULT_PATH, stream,
                  LoadSpec.DEFAULT_MAX_INFLIGHT, connections, verticles, warmup, 0, 30_000);
              ArrivalPlan plan = Loadgen.schedule("constant", rate, warmup, duration, prepared.bodies().length, 1,
                  false);
              double cpuBefore = cpuSeconds(t.process());
              RunResult r = new LoadRun(vertx, spec, plan, prepared.bodies(), null).run();
              double cpu = cpuSeconds(t.process()) - cpuBefore;
              // CPU covers warm-up too: divide by every request the proxy saw
              long handled = r.completed() + r.errors() + plan.countBefore(warmup);
              rows.add(new Row(t.name(), rate, r, t.process() == null ? Double.NaN : cpu / handled * 1000));
              System.err.printf(Locale.ROOT, "overhead: %-6s %6.0f/s done: p99 %.3f ms, lag p99 %.3f ms%n", t.name(),
                  rate, r.overall().latency().getValueAtPercentile(99) / 1000.0, r.sendLagP99Millis());
            }
          }
        }
      } finally {
        vertx.close().await();
      }
      System.out.print(table(rows, closedRates, closed, stream, proxyCpus, mockCpus));
    } finally {
      stop(children);
    }
    return 0;
  }

  /** Stops the child processes, each given 5 s to exit before it is killed. */
  static void stop(List<Process> children) throws InterruptedException {
    for (Process p : children) {
      p.destroy();
    }
    for (Process p : children) {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static String table(List<Row> rows, Map<String, List<Closed>> closedRates, int closed, boolean stream,
      String proxyCpus, String mockCpus) {
    // one cell per target and rate, over the rounds: medians, the p99 range, errors and blocked summed, valid rounds
    // counted
    Map<String, List<Row>> cells = new LinkedHashMap<>();
    for (Row r : rows) {
      cells.computeIfAbsent(r.target() + '@' + r.rate(), k -> new ArrayList<>()).add(r);
    }
    int rounds = cells.values().stream().mapToInt(List::size).max().orElse(1);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%n%s, proxy on cpu %s, mock and generator on cpu %s, median of %d round(s)%n",
        stream ? "streaming" : "non-streaming", proxyCpus, mockCpus, rounds));
    b.append(String.format(Locale.ROOT, "%-7s %7s %9s %8s %8s %8s %9s %9s %17s %10s %6s %7s %7s%n", "target", "rate",
        "achieved", "p50 ms", "p99 ms", "p99.9 ms", "+p50 ms", "+p99 ms", "p99 range ms", "cpu s/1k", "errors",
        "blocked", "valid"));
    for (List<Row> cell : cells.values()) {
      Row first = cell.get(0);
      List<Row> direct = cells.get("direct@" + first.rate());
      boolean isDirect = first.target().equals("direct");
      double p50 = median(cell, r -> ms(r, 50));
      double p99 = median(cell, r -> ms(r, 99));
      double minP99 = cell.stream().mapToDouble(r -> ms(r, 99)).min().orElse(Double.NaN);
      double maxP99 = cell.stream().mapToDouble(r -> ms(r, 99)).max().orElse(Double.NaN);
      double cpu = median(cell, Row::cpuSecondsPer1k);
      long errors = cell.stream().mapToLong(r -> r.result().errors()).sum();
      long blocked = cell.stream().mapToLong(r -> r.result().blocked()).sum();
      long valid = cell.stream().filter(r -> r.result().valid()).count();
      b.append(String.format(Locale.ROOT, "%-7s %7.0f %9.1f %8.3f %8.3f %8.3f %9s %9s %17s %10s %6d %7d %7s%n",
          first.target(), first.rate(), median(cell, r -> r.result().achievedRate()), p50, p99,
          median(cell, r -> ms(r, 99.9)),
          isDirect || direct == null ? "-" : String.format(Locale.ROOT, "%.3f", p50 - median(direct, r -> ms(r, 50))),
          isDirect || direct == null ? "-" : String.format(Locale.ROOT, "%.3f", p99 - median(direct, r -> ms(r, 99))),
          String.format(Locale.ROOT, "%.3f-%.3f", minP99, maxP99),
          Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.4f", cpu), errors, blocked, valid + "/" + cell.size()));
    }
    for (Row r : rows) {
      if (!r.result().errorsByKind().isEmpty()) {
        b.append("errors ").append(r.target()).append(' ').append((long) r.rate()).append("/s: ")
            .append(r.result().errorsByKind()).append('\n');
      }
    }
    b.append(String.format(Locale.ROOT, "closed loop, %d in flight, median of %d round(s):%n", closed, rounds));
    b.append(String.format(Locale.ROOT, "%-7s %9s %10s %14s%n", "target", "req/s", "proxy CPU", "req per CPU-s"));
    closedRates.forEach((name, runs) -> {
      double cpuBusy = median(runs, Closed::cpuBusy);
      double perCpu = median(runs, Closed::perCpuSecond);
      b.append(String.format(Locale.ROOT, "%-7s %9.0f %10s %14s%n", name, median(runs, Closed::rate),
          Double.isNaN(cpuBusy) ? "-" : String.format(Locale.ROOT, "%.2f", cpuBusy),
          Double.isNaN(perCpu) ? "-" : String.format(Locale.ROOT, "%.0f", perCpu)));
    });
    return b.toString();
  }

  /** The median of {@code f} over {@code items} (the mean of the middle two for an even count). */
  static <T> double median(List<T> items, java.util.function.ToDoubleFunction<T> f) {
    double[] v = items.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  private static double ms(Row r, double percentile) {
    return ms(r.result().overall().latency(), percentile);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /**
   * Starts {@code java <this JVM's options> -cp <this classpath> dev.sluice.Sluice <args>}, pinned when taskset
   * exists: the mock and the dispatcher run with the flags the launcher gave the bench (SLUICE_JAVA_OPTS included).
   */
  static Process java(String cpus, Path log, String... args) throws IOException {
    return java(cpus, log, Map.of(), args);
  }

  /** The same with {@code env} added to the child's environment (its {@code SLUICE_*} keys, for instance). */
  static Process java(String cpus, Path log, Map<String, String> env, String... args) throws IOException {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(pin(cpus));
    cmd.add(javaBin);
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.sluice.Sluice"));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static Process nginx(String nginx, String cpus, Path dir, int port, int upstreamPort) throws IOException {
    int workers = cpus.split(",").length;
    String conf = """
        worker_processes %d;
        pid %s/nginx.pid;
        error_log %s/error.log warn;
        events { worker_connections 16384; }
        http {
          log_format timed '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time';
          access_log %s/access.log timed buffer=64k flush=1s;
          client_body_temp_path %s/body;
          proxy_temp_path %s/proxy;
          fastcgi_temp_path %s/fastcgi;
          uwsgi_temp_path %s/uwsgi;
          scgi_temp_path %s/scgi;
          client_body_buffer_size 1m;
          client_max_body_size 64m;
          upstream mock { server 127.0.0.1:%d; keepalive 512; }
          server {
            listen 127.0.0.1:%d backlog=4096;
            keepalive_requests 1000000;
            location / {
              proxy_pass http://mock;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_buffering off;
            }
          }
        }
        """.formatted(workers, dir, dir, dir, dir, dir, dir, dir, dir, upstreamPort, port);
    Files.writeString(dir.resolve("nginx.conf"), conf);
    List<String> cmd = new ArrayList<>(pin(cpus));
    cmd.addAll(List.of(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(), "-g",
        "daemon off;"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("nginx.log").toFile())
        .start();
  }

  /** Moves this process (the generator) and all its threads onto {@code cpus}, where taskset exists. */
  static void pinSelf(String cpus) throws IOException, InterruptedException {
    String taskset = onPath("taskset");
    if (taskset == null || cpus.isBlank()) {
      System.err.println("overhead: taskset not found; the generator shares the proxy's CPU");
      return;
    }
    new ProcessBuilder(taskset, "-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }

  private static List<String> pin(String cpus) {
    String taskset = onPath("taskset");
    return taskset == null || cpus.isBlank() ? List.of() : List.of(taskset, "-c", cpus);
  }

  /** User plus system CPU seconds of a process and its children that are alive (nginx workers); 0 for none. */
  static double cpuSeconds(Process process) {
    if (process == null) {
      return 0;
    }
    double total = cpuSeconds(process.pid());
    for (ProcessHandle child : process.descendants().toList()) {
      total += cpuSeconds(child.pid());
    }
    return total;
  }

  private static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after the command name, which is in parentheses and may contain spaces
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / (double) CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Kernel clock ticks per second for /proc stat times; 100 on every mainstream Linux. */
  private static final long CLOCK_TICKS = clockTicks();

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      return Long.parseLong(out);
    } catch (Exception e) {
      return 100;
    }
  }

  static String onPath(String name) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of(path == null ? new String[0] : path.split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/sbin"));
    for (String dir : dirs) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void awaitPort(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("child exited with " + process.exitValue() + " before listening on " + port
            + ": " + process.info().commandLine().orElse("?"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    throw new IllegalStateException("nothing listening on " + port + " after " + READY_TIMEOUT_MILLIS + " ms");
  }
}
