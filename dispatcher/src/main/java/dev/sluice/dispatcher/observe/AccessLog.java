package dev.sluice.dispatcher.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The access log: one JSON line per request. Event loops only {@link #offer} a record into a bounded queue
 * (never blocking: when it is full the record is dropped and counted); one daemon thread formats and
 * writes the lines, so a slow stdout or disk never stalls a request.
 */
public final class AccessLog implements AutoCloseable {
  /** A log that records nothing. */
  public static final AccessLog OFF = new AccessLog();

  private static final int BATCH = 256;

  private final BlockingQueue<AccessRecord> queue;
  private final Consumer<String> sink;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  private AccessLog() {
    this.queue = null;
    this.sink = null;
    this.writer = null;
  }

  /** Starts the writer thread; {@code sink} receives each line (without its newline). */
  public AccessLog(int capacity, Consumer<String> sink) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.writer = new Thread(this::drain, "sluice-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** The log described by {@code settings}, writing to standard output. */
  public static AccessLog of(AccessLogSettings settings) {
    if (!settings.enabled()) {
      return OFF;
    }
    return new AccessLog(settings.queue(), line -> {
      System.out.println(line);
    });
  }

  public boolean enabled() {
    return queue != null;
  }

  /** Hands a record to the writer; never blocks. */
  public void offer(AccessRecord record) {
    if (queue != null && !queue.offer(record)) {
      dropped.incrementAndGet();
    }
  }

  /** Records dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Lines written so far. */
  public long written() {
    return written.get();
  }

  /** {@code sluice_access_log_dropped_total} and {@code sluice_access_log_lines_total}. */
  public void bindTo(MeterRegistry registry) {
    if (queue == null) {
      return;
    }
    FunctionCounter.builder("sluice.access.log.dropped", dropped, AtomicLong::doubleValue)
        .description("access-log lines dropped because the writer fell behind").register(registry);
    FunctionCounter.builder("sluice.access.log.lines", written, AtomicLong::doubleValue)
        .description("access-log lines written").register(registry);
  }

  private void drain() {
    List<AccessRecord> batch = new ArrayList<>(BATCH);
    while (!closed || !queue.isEmpty()) {
      try {
        AccessRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        for (AccessRecord r : batch) {
          try {
            sink.accept(r.toJson());
            written.incrementAndGet();
          } catch (RuntimeException e) {
            dropped.incrementAndGet();
          }
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Writes what is queued, then stops the writer (waits at most a second). */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    closed = true;
    try {
      writer.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
