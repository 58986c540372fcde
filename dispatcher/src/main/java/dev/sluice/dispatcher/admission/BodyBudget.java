package dev.sluice.dispatcher.admission;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's budget of request body bytes held in memory at once ({@code limits.max_buffered_body_bytes}),
 * shared by every event loop. A request holds its declared length before its body is read, or each chunk of a
 * chunked body as it arrives, and gives it all back once, when its body is no longer held; a request that would
 * pass the budget is refused ({@code overloaded}) instead of read. One atomic operation per hold and per
 * release: nothing is allocated and no lock is taken.
 */
public final class BodyBudget {
  private final long max;
  private final AtomicLong held = new AtomicLong();

  public BodyBudget(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("the body budget must be > 0 bytes");
    }
    this.max = maxBytes;
  }

  /** Holds {@code bytes} if the budget has them; pair every true with a {@link #release} of the same bytes. */
  public boolean tryHold(long bytes) {
    for (;;) {
      long now = held.get();
      if (now + bytes > max) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    held.addAndGet(-bytes);
  }

  /** Bytes held now. */
  public long held() {
    return held.get();
  }

  public long max() {
    return max;
  }

  public void bindTo(MeterRegistry registry) {
    Gauge.builder("sluice.buffered.body.bytes", this, BodyBudget::held)
        .description("request body bytes held in memory now, by every request of the node").register(registry);
    Gauge.builder("sluice.buffered.body.limit.bytes", this, BodyBudget::max)
        .description("limits.max_buffered_body_bytes: beyond it requests are refused (503 overloaded)")
        .register(registry);
  }
}
