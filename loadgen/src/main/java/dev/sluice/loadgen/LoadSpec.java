package dev.sluice.loadgen;

/**
 * How to drive one run, everything but the schedule and the bodies.
 *
 * @param host              target host
 * @param port              target port
 * @param path              request path, e.g. {@code /v1/chat/completions}
 * @param stream            whether bodies ask for SSE streaming (events are counted as tokens)
 * @param maxInflight       cap over all verticles; a due request finding it reached is counted blocked
 * @param connections       HTTP/1.1 connections over all verticles
 * @param verticles         event-loop verticles sharing the schedule (one per core by default)
 * @param warmupNanos       leading part of the schedule that is sent but not recorded
 * @param sloTtftMillis     a completed request meeting this TTFT counts toward goodput; 0 = every completed request
 * @param timeoutMillis     idle timeout of each request
 * @param closedConcurrency when above 0, ignore the schedule: keep this many requests in flight (closed loop)
 * @param closedNanos       length of a closed-loop run
 * @param pacer             wake the event loops from a separate thread when a request is due, instead of relying on
 *                          their 1 ms tick alone (sub-millisecond send lag at the cost of some CPU)
 */
public record LoadSpec(
    String host,
    int port,
    String path,
    boolean stream,
    int maxInflight,
    int connections,
    int verticles,
    long warmupNanos,
    double sloTtftMillis,
    long timeoutMillis,
    int closedConcurrency,
    long closedNanos,
    boolean pacer) {

  public static final String DEFAULT_PATH = "/v1/chat/completions";
  public static final int DEFAULT_MAX_INFLIGHT = 4096;
  public static final int DEFAULT_CONNECTIONS = 512;
  public static final long DEFAULT_TIMEOUT_MILLIS = 60_000;
  /** A run whose send-lag p99 exceeds this did not keep to its schedule. */
  public static final double MAX_SEND_LAG_P99_MILLIS = 2.0;

  public static LoadSpec openLoop(String host, int port, String path, boolean stream, int maxInflight, int connections,
      int verticles, long warmupNanos, double sloTtftMillis, long timeoutMillis) {
    return new LoadSpec(host, port, path, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        timeoutMillis, 0, 0, false);
  }

  public LoadSpec closedLoop(int concurrency, long nanos) {
    return new LoadSpec(host, port, path, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        timeoutMillis, concurrency, nanos, pacer);
  }

  public LoadSpec withPacer(boolean on) {
    return new LoadSpec(host, port, path, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        timeoutMillis, closedConcurrency, closedNanos, on);
  }

  static int share(int total, int index, int parts) {
    return total / parts + (index < total % parts ? 1 : 0);
  }
}
