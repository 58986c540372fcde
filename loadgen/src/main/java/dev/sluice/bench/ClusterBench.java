package dev.sluice.bench;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.KeyStats;
import dev.sluice.calibration.SharedCalibration;
import dev.sluice.cluster.ClusterConfig;
import dev.sluice.cluster.ClusterNode;
import dev.sluice.cluster.ClusterStatus;
import dev.sluice.cluster.ClusteredVertx;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench cluster}: the request path (calibration snapshot read + estimate) with the
 * exchange running single-node and then as one of three clustered members, side by side in one run,
 * and the calibration traffic each clustered node sends and reads per second.
 */
@Command(name = "cluster", description = "Request path with clustering off vs on; cluster traffic per node.")
public final class ClusterBench implements Callable<Integer> {

  @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", description = "seconds per phase (default ${DEFAULT-VALUE})")
  int seconds;
  @Option(names = "--publish-ms", paramLabel = "MS", defaultValue = "500",
      description = "publish period (default ${DEFAULT-VALUE})")
  int publishMs;

  private static final String[] MODELS = {"llama-3.1-8b", "qwen2.5-32b"};
  private static final String[] CATEGORIES = {"prose", "code", "json", "cjk", "math", "mixed"};

  @Override
  public Integer call() throws Exception {
    List<CalibrationKey> keys = new ArrayList<>();
    for (String m : MODELS) {
      for (String c : CATEGORIES) {
        keys.add(new CalibrationKey(m, c));
      }
    }
    Duration period = Duration.ofMillis(publishMs);
    System.out.printf("cluster bench: %d keys, publish every %d ms, %d s per phase, %d cores%n", keys.size(),
        publishMs, seconds, Runtime.getRuntime().availableProcessors());

    // Off: the same exchange on a local table, no Hazelcast in the process.
    Vertx plain = Vertx.vertx();
    SnapshotCalibration single = learned(keys, 0);
    ClusterNode.start(plain, ClusterConfig.defaults().withPublishPeriod(period), single).await(30, TimeUnit.SECONDS);
    Result warm = measure(single, keys, 2);
    Result off = measure(single, keys, seconds);
    plain.close().await(30, TimeUnit.SECONDS);

    // On: three clustered members in this process; the measured node adopts the other two every period.
    String name = "sluice-bench-" + UUID.randomUUID();
    List<Integer> ports = freePorts(3);
    List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    List<Vertx> vertxes = new ArrayList<>();
    List<ClusterNode> nodes = new ArrayList<>();
    List<SnapshotCalibration> cals = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ClusterConfig c = ClusterConfig.defaults().withMembership(name, "127.0.0.1", ports.get(i), seeds)
          .withPublishPeriod(period).withHazelcastProperties(Map.of("hazelcast.logging.type", "none"));
      Vertx v = ClusteredVertx.start(c).await(60, TimeUnit.SECONDS);
      SnapshotCalibration cal = learned(keys, i);
      nodes.add(ClusterNode.start(v, c, cal).await(30, TimeUnit.SECONDS));
      vertxes.add(v);
      cals.add(cal);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (nodes.get(0).status().contributors().size() < 2 && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    measure(cals.get(0), keys, 2);
    long adoptsBefore = cals.get(0).adoptions;
    Result on = measure(cals.get(0), keys, seconds);
    long adoptsDuring = cals.get(0).adoptions - adoptsBefore;
    long rounds = nodes.get(0).status().rounds();
    ClusterStatus s = nodes.get(0).status();
    for (Vertx v : vertxes) {
      v.close().await(30, TimeUnit.SECONDS);
    }

    System.out.printf("%nrequest path: snapshot read + estimate, one thread, %d s per phase (warm-up %.1f ns/op)%n",
        seconds, warm.meanNs);
    System.out.printf("  %-26s %12s %22s %22s%n", "", "ns/op mean", "batch p50 ns/op", "batch p99 ns/op");
    print("clustering off (single)", off);
    print("clustering on (3 members)", on);
    double perSecond = 1000.0 / publishMs;
    System.out.printf("%ncluster traffic per node (calibration payload, %d keys, %d other members)%n", keys.size(),
        s.contributors().size());
    System.out.printf("  published entry   %6d B/round  = %8.0f B/s (x2 with the sync backup copy)%n",
        s.bytesPublished(), s.bytesPublished() * perSecond);
    System.out.printf("  read from others  %6d B/round  = %8.0f B/s%n", s.bytesRead(), s.bytesRead() * perSecond);
    System.out.printf("  rounds %d, adoptions during the 'on' phase %d, reachable %s, failures %d%n",
        rounds, adoptsDuring, s.reachable(), s.publishFailuresTotal());
    return 0;
  }

  private static void print(String label, Result r) {
    System.out.printf("  %-26s %12.2f %22.2f %22.2f%n", label, r.meanNs, r.p50Ns, r.p99Ns);
  }

  private record Result(double meanNs, double p50Ns, double p99Ns) {
  }

  /** Runs the request path in batches of 10k for {@code seconds}; batch averages go to a histogram. */
  private static Result measure(SnapshotCalibration cal, List<CalibrationKey> keys, int seconds) {
    CalibrationKey[] ks = keys.toArray(CalibrationKey[]::new);
    Histogram batches = new Histogram(3);
    final int batch = 10_000;
    long ops = 0;
    long total = 0;
    double sink = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int i = 0;
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      for (int j = 0; j < batch; j++) {
        sink += cal.estimate(ks[i++ % ks.length], 1000 + (j & 1023));
      }
      long dt = System.nanoTime() - t0;
      total += dt;
      ops += batch;
      // stored as hundredths of a ns per op, so sub-ns differences survive
      batches.recordValue(Math.max(1, dt * 100 / batch));
    }
    if (sink == 42) {
      System.out.print("");
    }
    return new Result((double) total / ops, batches.getValueAtPercentile(50) / 100.0,
        batches.getValueAtPercentile(99) / 100.0);
  }

  private static SnapshotCalibration learned(List<CalibrationKey> keys, int node) {
    SnapshotCalibration cal = new SnapshotCalibration();
    Map<CalibrationKey, KeyStats> local = new HashMap<>();
    for (int k = 0; k < keys.size(); k++) {
      local.put(keys.get(k), new KeyStats(1000 + node, 250.0, 3.0 + 0.1 * k + 0.01 * node, 8.0, 0.1));
    }
    cal.restore(CalibrationState.ofRatios(local));
    return cal;
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  /**
   * The shape of the real request path: one volatile read of an immutable table of local-and-cluster
   * merged stats, then arithmetic. The exchange swaps the table off the event loop.
   */
  static final class SnapshotCalibration implements SharedCalibration {
    private volatile Map<CalibrationKey, KeyStats> local = Map.of();
    private volatile Map<CalibrationKey, KeyStats> snapshot = Map.of();
    volatile long adoptions;

    double estimate(CalibrationKey key, int textBytes) {
      KeyStats s = snapshot.get(key);
      return s == null ? textBytes / 4.0 : s.interceptTokens() + textBytes / s.bytesPerToken();
    }

    @Override
    public CalibrationState localState() {
      return CalibrationState.ofRatios(local);
    }

    @Override
    public void adoptClusterState(CalibrationState others) {
      Map<CalibrationKey, KeyStats> next = new HashMap<>(local);
      others.ratios().forEach((k, o) -> next.merge(k, o, (a, b) -> KeyStats.merge(List.of(a, b))));
      snapshot = Map.copyOf(next);
      adoptions++;
    }

    @Override
    public void restore(CalibrationState saved) {
      local = saved.ratios();
      snapshot = local;
    }
  }
}
