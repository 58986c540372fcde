package dev.sluice.loadgen;

import java.util.List;

/**
 * How to drive one run, everything but the schedule and the bodies.
 *
 * @param targets           where requests go; with several, the schedule alternates over them ({@link RunLayout})
 * @param stream            whether bodies ask for SSE streaming (events are counted as tokens)
 * @param maxInflight       cap over all verticles of requests in flight or waiting for a concurrency slot; a due
 *                          request finding it reached is counted blocked
 * @param connections       HTTP/1.1 connections over all verticles, per target
 * @param verticles         event-loop verticles sharing the schedule (one per core by default)
 * @param warmupNanos       leading part of the schedule that is sent but not recorded
 * @param sloTtftMillis     goodput counts a completed request only if its TTFT is at most this; 0 = no TTFT objective
 * @param sloTpotMillis     ... and its TPOT is at most this (0 for a request of one event); 0 = no TPOT objective
 * @param timeoutMillis     idle timeout of each request
 * @param closedConcurrency when above 0, ignore the schedule: keep this many requests in flight (closed loop)
 * @param closedNanos       length of a closed-loop run
 * @param pacer             wake the event loops from a separate thread when a request is due, instead of relying on
 *                          their 1 ms tick alone (sub-millisecond send lag at the cost of some CPU)
 * @param maxConcurrency    when above 0, at most this many requests in flight per target; a due request waits for a
 *                          slot, and the wait is part of its latency (recorded apart as queue wait)
 * @param records           keep one record per request for {@code --records}
 * @param vllmView          also record TTFT, end-to-end latency and TPOT as vLLM's benchmark defines them
 * @param api               the API the bodies are laid out for, which says how answers are read
 */
public record LoadSpec(
    List<Endpoint> targets,
    boolean stream,
    int maxInflight,
    int connections,
    int verticles,
    long warmupNanos,
    double sloTtftMillis,
    double sloTpotMillis,
    long timeoutMillis,
    int closedConcurrency,
    long closedNanos,
    boolean pacer,
    int maxConcurrency,
    boolean records,
    boolean vllmView,
    Api api) {

  public static final String DEFAULT_PATH = Api.CHAT.path();
  public static final int DEFAULT_MAX_INFLIGHT = 4096;
  public static final int DEFAULT_CONNECTIONS = 512;
  public static final long DEFAULT_TIMEOUT_MILLIS = 60_000;
  /** A run whose send-lag p99 exceeds this did not keep to its schedule. */
  public static final double MAX_SEND_LAG_P99_MILLIS = 2.0;

  /** One HTTP target. */
  public record Endpoint(String host, int port, String path) {

    @Override
    public String toString() {
      return "http://" + host + ":" + port + path;
    }
  }

  public LoadSpec {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("at least one target");
    }
    if (stream && !api.generates()) {
      throw new IllegalArgumentException(api.id() + " answers are never streamed");
    }
  }

  public static LoadSpec openLoop(String host, int port, String path, boolean stream, int maxInflight, int connections,
      int verticles, long warmupNanos, double sloTtftMillis, long timeoutMillis) {
    return new LoadSpec(List.of(new Endpoint(host, port, path)), stream, maxInflight, connections, verticles,
        warmupNanos, sloTtftMillis, 0, timeoutMillis, 0, 0, false, 0, false, false, Api.CHAT);
  }

  public LoadSpec closedLoop(int concurrency, long nanos) {
    return new LoadSpec(targets, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, concurrency, nanos, pacer, maxConcurrency, records, vllmView, api);
  }

  public LoadSpec withPacer(boolean on) {
    return new LoadSpec(targets, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, closedConcurrency, closedNanos, on, maxConcurrency, records, vllmView, api);
  }

  public LoadSpec withTargets(List<Endpoint> list) {
    return new LoadSpec(list, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, closedConcurrency, closedNanos, pacer, maxConcurrency, records, vllmView, api);
  }

  public LoadSpec withSloTpot(double millis) {
    return new LoadSpec(targets, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        millis, timeoutMillis, closedConcurrency, closedNanos, pacer, maxConcurrency, records, vllmView, api);
  }

  /**
   * At most {@code n} requests in flight per target (0 = no cap). The slots are split evenly over the verticles,
   * which take every other request in turn, so the cap acts like one semaphore per target; when {@code n} does not
   * divide evenly one verticle drives the load, lest the loop with fewer slots fall behind the others.
   */
  public LoadSpec withMaxConcurrency(int n) {
    int loops = n > 0 && n % verticles != 0 ? 1 : verticles;
    return new LoadSpec(targets, stream, maxInflight, connections, loops, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, closedConcurrency, closedNanos, pacer, n, records, vllmView, api);
  }

  public LoadSpec withRecords(boolean on) {
    return new LoadSpec(targets, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, closedConcurrency, closedNanos, pacer, maxConcurrency, on, vllmView, api);
  }

  /** Requests laid out for {@code a}, and answers read as its answers. */
  public LoadSpec withApi(Api a) {
    return new LoadSpec(targets, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, closedConcurrency, closedNanos, pacer, maxConcurrency, records, vllmView, a);
  }

  public LoadSpec withVllmView(boolean on) {
    return new LoadSpec(targets, stream, maxInflight, connections, verticles, warmupNanos, sloTtftMillis,
        sloTpotMillis, timeoutMillis, closedConcurrency, closedNanos, pacer, maxConcurrency, records, on, api);
  }

  static int share(int total, int index, int parts) {
    return total / parts + (index < total % parts ? 1 : 0);
  }
}
