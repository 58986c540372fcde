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
 * of the schedule to the HTTP client of the entry's target; each request carries its intended start, and every
 * latency is measured from it. Under a concurrency cap a due request that finds no free slot waits in a queue and is
 * sent the moment one frees up. Nothing here blocks or locks.
 */
final class LoadVerticle extends VerticleBase implements OpenLoopDriver.Target {

  static final String POOL_HEADER = "x-sluice-pool";
  /** Error kind of a 2xx stream that carried an error event. */
  static final String STREAM_ERROR = "stream-error";
  /** Error kind of a 2xx stream that ended without its end event. */
  static final String TRUNCATED = "truncated";
  private static final long TICK_MILLIS = 1;
  private static final long NANOS_PER_MICRO = 1_000;

  private final LoadSpec spec;
  private final ArrivalPlan plan;
  private final Bodies bodies;
  private final RunLayout layout;
  private final long startNanos;
  private final long measureFromNanos;
  private final int share;
  private final int maxInflight;
  private final long sloTtftNanos;
  private final long sloTpotNanos;
  /** One per group of the layout. */
  final Metrics[] groups;
  /** One row per entry of this share when records are kept, else null. */
  final RequestLog log;
  /** Whether this verticle has handed out all of its share of the schedule and sent everything that waited. */
  volatile boolean scheduleDone;

  private OpenLoopDriver driver;
  private HttpClientAgent[] clients;
  private RequestOptions[] requestOptions;
  /** Requests in flight or waiting for a slot, over all targets (the {@code maxInflight} cap). */
  private int pending;
  /** Concurrency slots per target on this verticle, or 0 for no cap. */
  private final int slots;
  private int[] busySlots;
  private WaitQueue[] waiting;
  private long timerId = -1;
  /** When the next request of this share is due; read by the pacer thread. */
  private volatile long nextDueNanos = Long.MAX_VALUE;
  private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
  private long closedEndNanos;
  private int nextClosedBody;

  LoadVerticle(LoadSpec spec, ArrivalPlan plan, Bodies bodies, RunLayout layout, long startNanos, int share) {
    this.spec = spec;
    this.plan = plan;
    this.bodies = bodies;
    this.layout = layout;
    this.startNanos = startNanos;
    this.measureFromNanos = startNanos + spec.warmupNanos();
    this.share = share;
    int cap = spec.closedConcurrency() > 0 ? spec.closedConcurrency() : spec.maxInflight();
    this.maxInflight = Math.max(1, LoadSpec.share(cap, share, spec.verticles()));
    this.sloTtftNanos = spec.sloTtftMillis() > 0 ? (long) (spec.sloTtftMillis() * 1e6) : Long.MAX_VALUE;
    this.sloTpotNanos = spec.sloTpotMillis() > 0 ? (long) (spec.sloTpotMillis() * 1e6) : Long.MAX_VALUE;
    this.slots = spec.maxConcurrency() > 0 ? Math.max(1, LoadSpec.share(spec.maxConcurrency(), share, spec.verticles()))
        : 0;
    this.groups = new Metrics[layout.groups()];
    for (int g = 0; g < groups.length; g++) {
      groups[g] = new Metrics(spec.vllmView());
    }
    this.log = spec.records() && spec.closedConcurrency() == 0
        ? new RequestLog(RequestLog.size(plan.size(), share, spec.verticles())) : null;
  }

  @Override
  public Future<?> start() {
    int connections = Math.max(1, LoadSpec.share(spec.connections(), share, spec.verticles()));
    int targets = spec.targets().size();
    clients = new HttpClientAgent[targets];
    requestOptions = new RequestOptions[targets];
    busySlots = new int[targets];
    waiting = new WaitQueue[targets];
    for (int t = 0; t < targets; t++) {
      LoadSpec.Endpoint target = spec.targets().get(t);
      clients[t] = vertx.createHttpClient(
          new HttpClientOptions().setDefaultHost(target.host()).setDefaultPort(target.port()).setKeepAlive(true)
              .setTcpNoDelay(true),
          new PoolOptions().setHttp1MaxSize(connections));
      requestOptions[t] = new RequestOptions().setMethod(HttpMethod.POST).setURI(target.path())
          .setIdleTimeout(spec.timeoutMillis()).putHeader("content-type", "application/json")
          .putHeader("accept", spec.stream() ? "text/event-stream" : "application/json");
      if (spec.api() == Api.MESSAGES) {
        requestOptions[t].putHeader(Api.ANTHROPIC_VERSION_HEADER, Api.ANTHROPIC_VERSION);
      }
      waiting[t] = new WaitQueue();
    }
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
    Future<?> closed = Future.succeededFuture();
    for (HttpClientAgent c : clients == null ? new HttpClientAgent[0] : clients) {
      closed = closed.eventually(c::close);
    }
    return closed;
  }

  private void tick() {
    driver.fire(System.nanoTime(), this);
    nextDueNanos = driver.nextDueNanos();
    checkDone();
  }

  private void checkDone() {
    if (driver.finished() && !scheduleDone && nothingWaiting()) {
      scheduleDone = true;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
    }
  }

  private boolean nothingWaiting() {
    for (WaitQueue q : waiting) {
      if (!q.isEmpty()) {
        return false;
      }
    }
    return true;
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
    return pending < maxInflight;
  }

  @Override
  public void send(int index, long intendedNanos) {
    int target = layout.targetOf(index);
    Metrics m = groups[layout.groupOf(index, intendedNanos - startNanos)];
    pending++;
    m.inflight++;
    if (slots > 0 && busySlots[target] >= slots) {
      waiting[target].add(index, intendedNanos);
      return;
    }
    long now = System.nanoTime();
    if (intendedNanos >= measureFromNanos) {
      m.sendLag.recordValue(Math.max(0, now - intendedNanos) / NANOS_PER_MICRO);
      if (slots > 0) {
        m.queueWait.recordValue(0);
      }
    }
    dispatch(index, target, m, intendedNanos, now);
  }

  @Override
  public void blocked(int index, long intendedNanos) {
    if (intendedNanos >= measureFromNanos) {
      groups[layout.groupOf(index, intendedNanos - startNanos)].blocked++;
    }
    if (log != null) {
      log.blocked(index / spec.verticles());
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
      if (pending == 0) {
        scheduleDone = true;
      }
      return;
    }
    nextClosedBody = (nextClosedBody + 1) % bodies.size();
    pending++;
    groups[0].inflight++;
    dispatch(-1, 0, groups[0], now, now);
  }

  /** Sends plan entry {@code index} (-1 in a closed loop) to {@code target} now. */
  private void dispatch(int index, int target, Metrics m, long intendedNanos, long now) {
    boolean measured = intendedNanos >= measureFromNanos;
    if (measured) {
      m.sent++;
    }
    busySlots[target]++;
    int body = index < 0 ? nextClosedBody : plan.template()[index];
    int row = log == null || index < 0 ? -1 : index / spec.verticles();
    if (row >= 0) {
      log.sent(row, now);
    }
    Exchange exchange = new Exchange(m, target, body, row, intendedNanos, now, measured);
    clients[target].request(requestOptions[target]).compose(request -> request.send(bodies.buffers()[body]))
        .onComplete(exchange);
  }

  /** After each response the loop is awake anyway: free the slot, then hand out whatever became due. */
  private void afterResponse(Metrics m, int target) {
    pending--;
    m.inflight--;
    busySlots[target]--;
    WaitQueue queue = waiting[target];
    if (!queue.isEmpty()) {
      long now = System.nanoTime();
      long intended = queue.headIntended();
      int index = queue.remove();
      Metrics waited = groups[layout.groupOf(index, intended - startNanos)];
      if (intended >= measureFromNanos) {
        waited.queueWait.recordValue(Math.max(0, now - intended) / NANOS_PER_MICRO);
      }
      dispatch(index, target, waited, intended, now);
    }
    if (driver != null) {
      if (!driver.finished()) {
        driver.fire(System.nanoTime(), this);
        nextDueNanos = driver.nextDueNanos();
      }
      checkDone();
    } else {
      sendClosed();
    }
  }

  /** One request's response, from headers to end. */
  private final class Exchange implements Handler<AsyncResult<HttpClientResponse>> {

    private final Metrics m;
    private final int target;
    private final int body;
    private final int row;
    private final long intended;
    private final long sentNanos;
    private final boolean measured;
    private final ResponseScan scan;
    private Metrics.Latencies pool;
    private String poolName;
    private int status;
    private long firstNanos;
    private long lastNanos;
    private long events;
    private boolean finished;

    Exchange(Metrics m, int target, int body, int row, long intended, long sentNanos, boolean measured) {
      this.m = m;
      this.target = target;
      this.body = body;
      this.row = row;
      this.intended = intended;
      this.sentNanos = sentNanos;
      this.measured = measured;
      this.scan = new ResponseScan(spec.api(), spec.stream());
    }

    @Override
    public void handle(AsyncResult<HttpClientResponse> result) {
      if (result.failed()) {
        fail(result.cause());
        return;
      }
      HttpClientResponse response = result.result();
      status = response.statusCode();
      scan.status(status);
      poolName = response.getHeader(POOL_HEADER);
      pool = poolName == null ? null : m.pool(poolName);
      response.handler(this::onChunk);
      response.exceptionHandler(this::fail);
      response.endHandler(v -> onEnd());
    }

    private boolean ok() {
      return status >= 200 && status < 300;
    }

    private void onChunk(Buffer chunk) {
      long now = System.nanoTime();
      int n = scan.feed(chunk);
      if (!spec.stream() || !ok()) {
        if (firstNanos == 0) {
          firstNanos = now;
        }
        lastNanos = now;
        return;
      }
      if (n == 0) {
        return;
      }
      if (measured) {
        // gaps are recorded as they arrive (a stream that fails later keeps its own); the TTFT once the answer
        // has succeeded
        if (firstNanos != 0) {
          recordItl(now - lastNanos, 1);
        }
        if (n > 1) {
          recordItl(0, n - 1);
        }
      }
      if (firstNanos == 0) {
        firstNanos = now;
      }
      lastNanos = now;
      events += n;
    }

    /**
     * Why an answer that arrived whole failed, or null when it did not: its HTTP status, an error event inside a
     * stream ({@code stream-error}), or a stream that ended without its end event ({@code truncated}).
     */
    private String failure() {
      if (!ok()) {
        return Integer.toString(status);
      }
      if (scan.failed()) {
        return STREAM_ERROR;
      }
      return spec.stream() && !scan.ended() ? TRUNCATED : null;
    }

    private void onEnd() {
      if (finished) {
        return;
      }
      finished = true;
      long now = System.nanoTime();
      if (firstNanos == 0) {
        firstNanos = now;
      }
      String failure = failure();
      if (measured) {
        if (failure == null) {
          recordTtft(firstNanos);
          long e2e = (now - intended) / NANOS_PER_MICRO;
          long tpotNanos = events > 1 ? (lastNanos - firstNanos) / (events - 1) : -1;
          boolean good = firstNanos - intended <= sloTtftNanos && Math.max(0, tpotNanos) <= sloTpotNanos;
          int promptTokens = bodies.promptTokens(body);
          complete(m.overall, e2e, tpotNanos, good, promptTokens, now);
          if (pool != null) {
            complete(pool, e2e, tpotNanos, good, promptTokens, now);
          }
          m.completed++;
          m.lastEndNanos = now;
        } else {
          countError(failure, scan.errorType());
        }
      }
      if (row >= 0) {
        int code = failure == null || !ok() ? status : RequestLog.code(failure);
        log.finished(row, code, firstNanos, now, (int) events, poolName, scan.inputTokens(), scan.outputTokens());
      }
      afterResponse(m, target);
    }

    private void complete(Metrics.Latencies l, long e2eMicros, long tpotNanos, boolean good, int promptTokens,
        long now) {
      l.latency.recordValue(e2eMicros);
      if (tpotNanos >= 0) {
        l.tpot.recordValue(tpotNanos / NANOS_PER_MICRO);
      }
      if (l.vllmTtft != null) {
        // vLLM: from the send, to the first and the last event; TPOT over completion tokens - 1, where a chat
        // stream's first event is the role chunk (completion tokens = events - 1) and other streams have none
        long tokens = events - spec.api().roleEvents();
        l.vllmTtft.recordValue(Math.max(0, firstNanos - sentNanos) / NANOS_PER_MICRO);
        l.vllmLatency.recordValue(Math.max(0, (spec.stream() ? lastNanos : now) - sentNanos) / NANOS_PER_MICRO);
        if (tokens > 1) {
          l.vllmTpot.recordValue((lastNanos - firstNanos) / (tokens - 1) / NANOS_PER_MICRO);
        }
      }
      l.completed++;
      l.tokens += events;
      l.inputTokens += promptTokens;
      long usageIn = scan.inputTokens();
      if (usageIn >= 0) {
        l.usageAnswers++;
        l.usageInputTokens += usageIn;
        l.usageOutputTokens += Math.max(0, scan.outputTokens());
      }
      if (good) {
        l.good++;
      }
    }

    private void recordTtft(long atNanos) {
      long micros = Math.max(0, atNanos - intended) / NANOS_PER_MICRO;
      m.overall.ttft.recordValue(micros);
      if (pool != null) {
        pool.ttft.recordValue(micros);
      }
    }

    private void recordItl(long gapNanos, long count) {
      long micros = Math.max(0, gapNanos) / NANOS_PER_MICRO;
      m.overall.itl.recordValueWithCount(micros, count);
      if (pool != null) {
        pool.itl.recordValueWithCount(micros, count);
      }
    }

    private void fail(Throwable cause) {
      if (finished) {
        return;
      }
      finished = true;
      String kind = kind(cause);
      if (measured) {
        countError(kind, null);
      }
      if (row >= 0) {
        log.finished(row, status > 0 ? status : RequestLog.code(kind), firstNanos, System.nanoTime(), (int) events,
            poolName, -1, -1);
      }
      afterResponse(m, target);
    }

    private void countError(String kind, String type) {
      m.errors++;
      m.error(kind, type);
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

  /** Due requests waiting for a concurrency slot, oldest first: a growable ring of (index, intended start). */
  static final class WaitQueue {
    private int[] index = new int[16];
    private long[] intended = new long[16];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    void add(int i, long at) {
      if (size == index.length) {
        int[] ni = new int[size * 2];
        long[] na = new long[size * 2];
        for (int k = 0; k < size; k++) {
          ni[k] = index[(head + k) % size];
          na[k] = intended[(head + k) % size];
        }
        index = ni;
        intended = na;
        head = 0;
      }
      int tail = (head + size) % index.length;
      index[tail] = i;
      intended[tail] = at;
      size++;
    }

    long headIntended() {
      return intended[head];
    }

    int remove() {
      int i = index[head];
      head = (head + 1) % index.length;
      size--;
      return i;
    }
  }
}
