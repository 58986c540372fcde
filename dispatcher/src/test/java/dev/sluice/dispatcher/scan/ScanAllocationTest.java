package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner's allocation per request must not grow with the body (Jackson's recycled buffers aside). */
class ScanAllocationTest {
  private static final int CHUNK = 8 * 1024;

  @Test
  void allocationPerRequestDoesNotGrowWithTheBody() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    String prose = Bodies.corpus("en_narrative_pride_ch01-12.txt");
    String japanese = Bodies.corpus("ja_tech_debref_ch01.txt");
    Buffer[] small = chunks(Bodies.chat(false, List.of(prose.substring(0, 1000))));
    Buffer[] large = chunks(Bodies.chat(false, List.of(prose.substring(0, 60_000), japanese.substring(0, 20_000))));
    for (int i = 0; i < 300; i++) { // warm up the JIT and Jackson's per-thread buffers
      scan(small);
      scan(large);
    }

    long smallBytes = allocatedPerScan(threads, small);
    long largeBytes = allocatedPerScan(threads, large);

    assertThat(largeBytes).as("bytes per scan of a %d-chunk body vs %d for a 1-chunk one", large.length, smallBytes)
        .isLessThan(smallBytes + 1024);
  }

  private static long allocatedPerScan(com.sun.management.ThreadMXBean threads, Buffer[] chunks) {
    int runs = 50;
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < runs; i++) {
      scan(chunks);
    }
    return (threads.getThreadAllocatedBytes(id) - before) / runs;
  }

  private static RequestFacts scan(Buffer[] chunks) {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    for (Buffer chunk : chunks) {
      scanner.feed(chunk);
    }
    return scanner.finish();
  }

  private static Buffer[] chunks(byte[] body) {
    Buffer[] out = new Buffer[(body.length + CHUNK - 1) / CHUNK];
    for (int i = 0; i < out.length; i++) {
      out[i] = Buffer.buffer(Arrays.copyOfRange(body, i * CHUNK, Math.min(body.length, (i + 1) * CHUNK)));
    }
    return out;
  }
}
