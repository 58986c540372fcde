package dev.sluice.dispatcher.metrics;

import dev.sluice.dispatcher.admission.Priority;
import dev.sluice.dispatcher.balance.Chooser;
import dev.sluice.dispatcher.error.FailureKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The dispatcher's Prometheus metrics. Labels stay few: pool name, HTTP status, a fixed set of kinds.
 * Meters are created once and cached, so recording on the request path is a lookup and an add.
 */
public final class DispatcherMetrics {
  /** Pool label for requests refused before a pool was chosen. */
  public static final String NO_POOL = "none";

  private static final double[] BUDGET_BUCKETS = {
      256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576};
  private static final Duration[] TTFB_BUCKETS = durations(
      5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000);
  private static final Duration[] OVERHEAD_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(25_000),
      Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(100)};
  private static final Duration[] WAIT_BUCKETS = durations(
      1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000);
  private static final Duration[] DURATION_BUCKETS = durations(
      10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000);

  private final PrometheusMeterRegistry registry;
  private final ConcurrentHashMap<String, PoolMeters> pools = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> misroutes = new ConcurrentHashMap<>();
  private final Counter[] failures = new Counter[FailureKind.values().length];
  private final Timer overhead;

  public DispatcherMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public DispatcherMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.overhead = Timer.builder("sluice.overhead")
        .description("Sluice's own time on a request that reached an upstream: from its body to the first try's send "
            + "(less any wait for a pool slot), plus the time the answer's bytes waited in Sluice on their way")
        .serviceLevelObjectives(OVERHEAD_BUCKETS).register(registry);
  }

  /** One request's own time in Sluice ({@code sluice_overhead_seconds}). */
  public void overhead(long nanos) {
    overhead.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The registry, for other components (calibration, cluster) to add their own meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Meters of one pool; {@code inFlight} is read when Prometheus scrapes. */
  public PoolMeters pool(String pool, Supplier<Number> inFlight) {
    return pools.computeIfAbsent(pool, p -> new PoolMeters(p, inFlight));
  }

  /** Meters for requests refused before any pool was chosen. */
  public PoolMeters unrouted() {
    return pools.computeIfAbsent(NO_POOL, p -> new PoolMeters(p, null));
  }

  /** One request failed in Sluice's own terms (refused, upstream failure, cut stream, client gone). */
  public void failure(FailureKind kind) {
    Counter c = failures[kind.ordinal()];
    if (c == null) {
      c = Counter.builder("sluice.failures").description("Failed requests by whose fault and what happened")
          .tag("category", kind.fault().name().toLowerCase(Locale.ROOT)).tag("code", kind.code())
          .register(registry);
      failures[kind.ordinal()] = c;
    }
    c.increment();
  }

  /** {@code kind="under"}: a context-length error on a smaller pool, retried on a larger one. */
  public void misroute(String kind) {
    misroutes.computeIfAbsent(kind, k -> Counter.builder("sluice.misroutes")
        .description("Requests sent to a pool that did not fit (under) or larger than needed (over)")
        .tag("kind", k).register(registry)).increment();
  }

  /** The meters of one pool. */
  public final class PoolMeters {
    private final String pool;
    private final Counter[] byStatus = new Counter[600];
    private final Counter aborted;
    private final Counter clientClosed;
    private final DistributionSummary budget;
    private final Timer firstByte;
    private final Timer duration;
    private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();
    private final Timer[] admissionWaits = new Timer[Priority.values().length];
    private final Counter[] affinity = new Counter[Chooser.Result.values().length];

    private PoolMeters(String pool, Supplier<Number> inFlight) {
      this.pool = pool;
      this.aborted = requests("aborted");
      this.clientClosed = requests("client_closed");
      for (Chooser.Result r : Chooser.Result.values()) {
        affinity[r.ordinal()] = Counter.builder("sluice.affinity")
            .description("Tries by how their endpoint relates to the request's affinity key: its home (hit), the "
                + "next in its order (spill) or chosen by load alone (none)")
            .tag("pool", pool).tag("result", r.name().toLowerCase(Locale.ROOT)).register(registry);
      }
      this.budget = DistributionSummary.builder("sluice.budget")
          .description("Token budget used for routing (prompt estimate plus output reserve)")
          .baseUnit("tokens").tag("pool", pool).serviceLevelObjectives(BUDGET_BUCKETS).register(registry);
      this.firstByte = Timer.builder("sluice.upstream.ttfb")
          .description("From sending the request upstream to the upstream's response headers")
          .tag("pool", pool).serviceLevelObjectives(TTFB_BUCKETS).register(registry);
      this.duration = Timer.builder("sluice.upstream.duration")
          .description("From sending the request upstream to the end of its response")
          .tag("pool", pool).serviceLevelObjectives(DURATION_BUCKETS).register(registry);
      if (inFlight != null) {
        Gauge.builder("sluice.inflight", inFlight).description("Requests in flight to the pool's endpoints")
            .tag("pool", pool).register(registry);
      }
    }

    private Counter requests(String status) {
      return Counter.builder("sluice.requests").description("Requests answered, by pool and status")
          .tag("pool", pool).tag("status", status).register(registry);
    }

    /** One request answered with {@code status}. */
    public void request(int status) {
      int s = status >= 100 && status < 600 ? status : 599;
      Counter c = byStatus[s];
      if (c == null) {
        // a benign race: two loops may both register; Micrometer returns the same meter to both
        c = requests(Integer.toString(s));
        byStatus[s] = c;
      }
      c.increment();
    }

    /**
     * A request of class {@code priority} waited {@code nanos} in the pool's admission line, granted or not
     * ({@code sluice_admission_wait_seconds}); requests admitted at once never wait and are not recorded.
     */
    public void admissionWait(Priority priority, long nanos) {
      Timer t = admissionWaits[priority.ordinal()];
      if (t == null) {
        t = Timer.builder("sluice.admission.wait")
            .description("Time a request waited in the pool's admission line, by priority class")
            .tag("pool", pool).tag("priority", priority.label()).serviceLevelObjectives(WAIT_BUCKETS)
            .register(registry);
        admissionWaits[priority.ordinal()] = t;
      }
      t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A stream cut after its first byte reached the client. */
    public void aborted() {
      aborted.increment();
    }

    /** The client went away before the response ended. */
    public void clientClosed() {
      clientClosed.increment();
    }

    public void budget(int tokens) {
      budget.record(tokens);
    }

    public void firstByteNanos(long nanos) {
      firstByte.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void durationNanos(long nanos) {
      duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How one try's endpoint was chosen. */
    public void affinity(Chooser.Result result) {
      affinity[result.ordinal()].increment();
    }

    /** A try repeated before the commit point, by reason (connect, reset, status, context_length). */
    public void retry(String reason) {
      retries.computeIfAbsent(reason, r -> Counter.builder("sluice.upstream.retries")
          .description("Upstream tries repeated before the first byte reached the client")
          .tag("pool", pool).tag("reason", r).register(registry)).increment();
    }
  }

  private static Duration[] durations(long... millis) {
    Duration[] d = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      d[i] = Duration.ofMillis(millis[i]);
    }
    return d;
  }
}
