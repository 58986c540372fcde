package dev.sluice.loadgen;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeoutException;

/**
 * One event loop's share of the load. A 1 ms periodic tick, plus a check after every response, hands the due part
 * of the schedule to the HTTP client; each request carries its intended start, and every latency is measured from
 * it. Nothing here blocks or locks.
 */
final class LoadVerticle extends VerticleBase implements OpenLoopDriver.Target {

  static final String POOL_HEADER = "x-sluice-pool";
  private static final long TICK_MILLIS = 1;
  private static final long NANOS_PER_MICRO = 1_000;

  private final LoadSpec spec;
  private final ArrivalPlan plan;
  private final Buffer[] bodies;
  private final long startNanos;
  private final long measureFromNanos;
  private final int share;
  private final int maxInflight;
  private final long sloTtftNanos;
  final Metrics metrics = new Metrics();

  private OpenLoopDriver driver;
  private HttpClientAgent client;
  private RequestOptions requestOptions;
  private long timerId = -1;
  /** When the next request of this share is due; read by the pacer thread. */
  private volatile long nextDueNanos = Long.MAX_VALUE;
  private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
  private long closedEndNanos;
  private int nextClosedBody;

  LoadVerticle(LoadSpec spec, ArrivalPlan plan, Buffer[] bodies, long startNanos, int share) {
    this.spec = spec;
    this.plan = plan;
    this.bodies = bodies;
    this.startNanos = startNanos;
    this.measureFromNanos = startNanos + spec.warmupNanos();
    this.share = share;
    int cap = spec.closedConcurrency() > 0 ? spec.closedConcurrency() : spec.maxInflight();
    this.maxInflight = Math.max(1, LoadSpec.share(cap, share, spec.verticles()));
    this.sloTtftNanos = spec.sloTtftMillis() > 0 ? (long) (spec.sloTtftMillis() * 1e6) : Long.MAX_VALUE;
  }

  @Override
  public Future<?> start() {
    int connections = Math.max(1, LoadSpec.share(spec.connections(), share, spec.verticles()));
    client = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost(spec.host()).setDefaultPort(spec.port()).setKeepAlive(true)
            .setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
    requestOptions = new RequestOptions().setMethod(HttpMethod.POST).setURI(spec.path())
        .setIdleTimeout(spec.timeoutMillis()).putHeader("content-type", "application/json")
        .putHeader("accept", spec.stream() ? "text/event-stream" : "application/json");
    if (spec.closedConcurrency() > 0) {
      long delay = Math.max(1, (startNanos - System.nanoTime()) / 1_000_000);
      vertx.setTimer(delay, id -> startClosedLoop());
    } else {
      driver = new OpenLoopDriver(plan, startNanos, share, spec.verticles());
      nextDueNanos = driver.nextDueNanos();
      timerId = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return client == null ? Future.succeededFuture() : client.close();
  }

  private void tick() {
    driver.fire(System.nanoTime(), this);
    nextDueNanos = driver.nextDueNanos();
    if (driver.finished() && !metrics.scheduleDone) {
      metrics.scheduleDone = true;
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /**
   * Called from the pacer thread: when a request is due, has the event loop run a tick (at most one queued at a
   * time). Returns when this share is next due, or {@code nowNanos} while a wake-up is still queued.
   */
  long wakeIfDue(long nowNanos) {
    long due = nextDueNanos;
    if (due > nowNanos) {
      return due;
    }
    if (wakePending.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        wakePending.set(false);
        if (driver != null && !driver.finished()) {
          tick();
        }
      });
    }
    return nowNanos;
  }

  @Override
  public boolean hasCapacity() {
    return metrics.inflight < maxInflight;
  }

  @Override
  public void send(int index, long intendedNanos) {
    send(bodies[plan.template()[index]], intendedNanos);
  }

  @Override
  public void blocked(int index, long intendedNanos) {
    if (intendedNanos >= measureFromNanos) {
      metrics.blocked++;
    }
  }

  private void startClosedLoop() {
    closedEndNanos = System.nanoTime() + spec.closedNanos();
    for (int i = 0; i < maxInflight; i++) {
      sendClosed();
    }
  }

  private void sendClosed() {
    long now = System.nanoTime();
    if (now >= closedEndNanos) {
      if (metrics.inflight == 0) {
        metrics.scheduleDone = true;
      }
      return;
    }
    nextClosedBody = (nextClosedBody + 1) % bodies.length;
    send(bodies[nextClosedBody], now);
  }

  private void send(Buffer body, long intendedNanos) {
    long now = System.nanoTime();
    boolean measured = intendedNanos >= measureFromNanos;
    if (measured) {
      metrics.sent++;
      metrics.sendLag.recordValue(Math.max(0, now - intendedNanos) / NANOS_PER_MICRO);
    }
    metrics.inflight++;
    Exchange exchange = new Exchange(intendedNanos, measured);
    client.request(requestOptions).compose(request -> request.send(body)).onComplete(exchange);
  }

  /** After each response the loop is awake anyway: hand out whatever became due since the last tick. */
  private void afterResponse() {
    metrics.inflight--;
    if (driver != null) {
      if (!driver.finished()) {
        driver.fire(System.nanoTime(), this);
        nextDueNanos = driver.nextDueNanos();
      }
    } else {
      sendClosed();
    }
  }

  /** One request's response, from headers to end. */
  private final class Exchange implements Handler<AsyncResult<HttpClientResponse>> {

    private final long intended;
    private final boolean measured;
    private final SseCounter sse;
    private Metrics.Latencies pool;
    private int status;
    private long firstNanos;
    private long lastNanos;
    private long events;
    private boolean finished;

    Exchange(long intended, boolean measured) {
      this.intended = intended;
      this.measured = measured;
      this.sse = spec.stream() ? new SseCounter() : null;
    }

    @Override
    public void handle(AsyncResult<HttpClientResponse> result) {
      if (result.failed()) {
        fail(result.cause());
        return;
      }
      HttpClientResponse response = result.result();
      status = response.statusCode();
      String poolName = response.getHeader(POOL_HEADER);
      pool = poolName == null ? null : metrics.pool(poolName);
      response.handler(this::onChunk);
      response.exceptionHandler(this::fail);
      response.endHandler(v -> onEnd());
    }

    private void onChunk(Buffer chunk) {
      long now = System.nanoTime();
      if (sse == null || status != 200) {
        if (firstNanos == 0) {
          firstNanos = now;
        }
        lastNanos = now;
        return;
      }
      int n = sse.feed(chunk);
      if (n == 0) {
        return;
      }
      if (measured) {
        if (firstNanos == 0) {
          recordTtft(now);
          if (n > 1) {
            recordItl(0, n - 1);
          }
        } else {
          recordItl(now - lastNanos, 1);
          if (n > 1) {
            recordItl(0, n - 1);
          }
        }
      }
      if (firstNanos == 0) {
        firstNanos = now;
      }
      lastNanos = now;
      events += n;
    }

    private void onEnd() {
      if (finished) {
        return;
      }
      finished = true;
      long now = System.nanoTime();
      if (measured) {
        if (status >= 200 && status < 300) {
          if (firstNanos == 0) {
            firstNanos = now;
          }
          if (sse == null) {
            recordTtft(firstNanos);
          }
          long e2e = (now - intended) / NANOS_PER_MICRO;
          boolean good = firstNanos - intended <= sloTtftNanos;
          long tpot = events > 1 ? (lastNanos - firstNanos) / (events - 1) / NANOS_PER_MICRO : -1;
          complete(metrics.overall, e2e, tpot, good);
          if (pool != null) {
            complete(pool, e2e, tpot, good);
          }
          metrics.completed++;
        } else {
          countError(Integer.toString(status));
        }
      }
      afterResponse();
    }

    private void complete(Metrics.Latencies l, long e2eMicros, long tpotMicros, boolean good) {
      l.latency.recordValue(e2eMicros);
      if (tpotMicros >= 0) {
        l.tpot.recordValue(tpotMicros);
      }
      l.completed++;
      l.tokens += events;
      if (good) {
        l.good++;
      }
    }

    private void recordTtft(long atNanos) {
      long micros = Math.max(0, atNanos - intended) / NANOS_PER_MICRO;
      metrics.overall.ttft.recordValue(micros);
      if (pool != null) {
        pool.ttft.recordValue(micros);
      }
    }

    private void recordItl(long gapNanos, long count) {
      long micros = Math.max(0, gapNanos) / NANOS_PER_MICRO;
      metrics.overall.itl.recordValueWithCount(micros, count);
      if (pool != null) {
        pool.itl.recordValueWithCount(micros, count);
      }
    }

    private void fail(Throwable cause) {
      if (finished) {
        return;
      }
      finished = true;
      if (measured) {
        countError(kind(cause));
      }
      afterResponse();
    }

    private void countError(String kind) {
      metrics.errors++;
      metrics.error(kind);
      if (pool != null) {
        pool.errors++;
      }
    }
  }

  static String kind(Throwable cause) {
    if (cause instanceof ConnectionPoolTooBusyException) {
      return "pool-busy";
    }
    if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
      return "timeout";
    }
    return "connection";
  }
}
