package dev.sluice.dispatcher.exact;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Meters of the exact count: {@code sluice_exact_counts_total{outcome}} (counted, timeout, error, busy) and
 * {@code sluice_exact_count_seconds} (how long a counted request waited for its count, with p50 and p99).
 */
public final class ExactCountMeters {
  public static final String COUNTS = "sluice.exact.counts";
  public static final String SECONDS = "sluice.exact.count";

  private final Counter counted;
  private final Counter[] failed = new Counter[TokenizeClient.Reason.values().length];
  private final Timer latency;

  public ExactCountMeters(MeterRegistry registry) {
    counted = counter(registry, "counted");
    for (TokenizeClient.Reason r : TokenizeClient.Reason.values()) {
      failed[r.ordinal()] = counter(registry, r.name().toLowerCase(java.util.Locale.ROOT));
    }
    latency = Timer.builder(SECONDS)
        .description("Time a request waited for its exact count, counted ones only")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder(COUNTS)
        .description("Requests whose estimate straddled a pool's context, by what the tokenizer did")
        .tag("outcome", outcome)
        .register(registry);
  }

  void counted(long nanos) {
    counted.increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  void failed(TokenizeClient.Reason reason) {
    failed[reason.ordinal()].increment();
  }

  /** Requests routed on a count. */
  public long countedTotal() {
    return (long) counted.count();
  }

  /** Requests that asked and were routed on the estimate for {@code reason}. */
  public long failedTotal(TokenizeClient.Reason reason) {
    return (long) failed[reason.ordinal()].count();
  }

  /** The latency of counted requests. */
  public Timer latency() {
    return latency;
  }
}
