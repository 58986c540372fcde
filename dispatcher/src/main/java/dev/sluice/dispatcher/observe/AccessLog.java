package dev.sluice.dispatcher.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log: one JSON line per request. Event loops only {@link #offer} a record into a bounded queue
 * (never blocking: when it is full the record is dropped and counted); one daemon thread formats and
 * writes the lines, so a slow stdout or disk never stalls a request.
 *
 * <p>The writer polls the queue every {@link #POLL_MILLIS} ms instead of waiting on it: a waiting consumer
 * would make every offer wake it (a futex call on the event loop per request), where polling costs one
 * wake-up per batch. Lines reach the sink up to that long after the request ended, and the sink is flushed once
 * per batch, not once per line.
 */
public final class AccessLog implements AutoCloseable {
  /** A log that records nothing. */
  public static final AccessLog OFF = new AccessLog();

  private static final int BATCH = 1024;
  static final long POLL_MILLIS = 20;

  /** Where lines go: {@link #line} for each, then {@link #flush} once per batch. */
  @FunctionalInterface
  public interface Sink {
    /** One line as UTF-8, without its newline; the buffer is reused for the next line once this returns. */
    void line(LineBuffer line) throws IOException;

    default void flush() throws IOException {
    }
  }

  private final BlockingQueue<AccessRecord> queue;
  private final Sink sink;
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
  public AccessLog(int capacity, Sink sink) {
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
    return new AccessLog(settings.queue(), stdout());
  }

  /** Standard output behind its own 64 KiB buffer, written once per batch. */
  private static Sink stdout() {
    return sinkTo(new FileOutputStream(FileDescriptor.out));
  }

  /** A sink writing lines to {@code stream} behind its own 64 KiB buffer, written through on {@link Sink#flush}. */
  public static Sink sinkTo(OutputStream stream) {
    OutputStream out = new BufferedOutputStream(stream, 1 << 16);
    return new Sink() {
      @Override
      public void line(LineBuffer line) throws IOException {
        line.writeTo(out);
        out.write('\n');
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }
    };
  }

  /** The writer thread's work per record: its line formatted and handed to the sink. */
  public static final class Lines {
    private final Sink sink;
    private final LineBuffer line = new LineBuffer(512);

    public Lines(Sink sink) {
      this.sink = sink;
    }

    public void write(AccessRecord r) throws IOException {
      sink.line(r.appendJson(line.clear()));
    }

    public void flush() throws IOException {
      sink.flush();
    }
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
    Lines lines = new Lines(sink);
    while (!closed || !queue.isEmpty()) {
      if (queue.drainTo(batch, BATCH) == 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
        continue;
      }
      for (AccessRecord r : batch) {
        try {
          lines.write(r);
          written.incrementAndGet();
        } catch (IOException | RuntimeException e) {
          dropped.incrementAndGet();
        }
      }
      try {
        lines.flush();
      } catch (IOException | RuntimeException e) {
        // the lines are counted as written; a sink that cannot flush loses them with its buffer
      }
      batch.clear();
    }
  }

  /** Writes what is queued, then stops the writer (waits at most a second). */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
