package dev.sluice.loadgen;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * One row per scheduled request of one verticle's share, for {@code --records}: when it was sent, its first event,
 * its end, its outcome. Columns are preallocated arrays (no object per request); written by the verticle's event
 * loop only and read after the verticle is undeployed.
 */
final class RequestLog {

  /** Outcomes that have no HTTP status. */
  static final int BLOCKED = -1;
  static final int CONNECTION = -2;
  static final int TIMEOUT = -3;
  static final int POOL_BUSY = -4;
  static final int STREAM_ERROR = -5;
  static final int TRUNCATED = -6;

  static final String HEADER = "run,target,stage,request,body,measured,intended_ms,sent_ms,send_delay_ms,ttft_ms,"
      + "latency_ms,outcome,status,output_events,prompt_tokens,max_tokens,pool,usage_input_tokens,"
      + "usage_output_tokens\n";

  private final long[] sent;
  private final long[] first;
  private final long[] end;
  private final int[] status;
  private final int[] events;
  private final String[] pool;
  /** What the answer's usage stated, -1 when it stated nothing. */
  private final int[] usageInput;
  private final int[] usageOutput;

  /** @param size entries in the share: every {@code stride}-th of the plan */
  RequestLog(int size) {
    sent = new long[size];
    first = new long[size];
    end = new long[size];
    status = new int[size];
    events = new int[size];
    pool = new String[size];
    usageInput = new int[size];
    usageOutput = new int[size];
  }

  static int size(int planSize, int share, int stride) {
    return planSize <= share ? 0 : (planSize - share + stride - 1) / stride;
  }

  void sent(int row, long nanos) {
    sent[row] = nanos;
  }

  void blocked(int row) {
    status[row] = BLOCKED;
  }

  void finished(int row, int code, long firstNanos, long endNanos, int eventCount, String poolName, long input,
      long output) {
    status[row] = code;
    first[row] = firstNanos;
    end[row] = endNanos;
    events[row] = eventCount;
    pool[row] = poolName;
    usageInput[row] = (int) input;
    usageOutput[row] = (int) output;
  }

  static int code(String errorKind) {
    return switch (errorKind) {
      case "timeout" -> TIMEOUT;
      case "pool-busy" -> POOL_BUSY;
      case LoadVerticle.STREAM_ERROR -> STREAM_ERROR;
      case LoadVerticle.TRUNCATED -> TRUNCATED;
      default -> CONNECTION;
    };
  }

  /**
   * Writes the rows of one run in schedule order. {@code intended_ms} and {@code sent_ms} are milliseconds from the
   * start of the schedule; {@code send_delay_ms} is the send lag plus any wait for a concurrency slot; TTFT and
   * latency count from the intended start, as in the report.
   *
   * @param run        label of the run (stage, sweep step)
   * @param logs       one log per verticle share
   * @param startNanos clock value of schedule offset zero
   */
  static void csv(Appendable out, String run, RunLayout layout, ArrivalPlan plan, Bodies bodies, long warmupNanos,
      List<RequestLog> logs, long startNanos) throws IOException {
    int stride = logs.size();
    StringBuilder line = new StringBuilder(160);
    for (int i = 0; i < plan.size(); i++) {
      RequestLog log = logs.get(i % stride);
      int row = i / stride;
      long offset = plan.offsetsNanos()[i];
      int body = plan.template()[i];
      line.setLength(0);
      line.append(run).append(',').append(layout.targetOf(i) + 1).append(',').append(layout.stageOf(offset) + 1)
          .append(',').append(i).append(',').append(body).append(',').append(offset >= warmupNanos).append(',');
      ms(line, offset).append(',');
      long sentAt = log.sent[row];
      long intended = startNanos + offset;
      int code = log.status[row];
      if (sentAt != 0) {
        ms(line, sentAt - startNanos).append(',');
        ms(line, Math.max(0, sentAt - intended)).append(',');
      } else {
        line.append(",,");
      }
      if (log.first[row] != 0 && code >= 200 && code < 300) {
        ms(line, log.first[row] - intended);
      }
      line.append(',');
      if (log.end[row] != 0) {
        ms(line, log.end[row] - intended);
      }
      line.append(',');
      line.append(outcome(code, sentAt, log.end[row])).append(',');
      if (code > 0) {
        line.append(code);
      }
      line.append(',').append(log.events[row]).append(',').append(bodies.promptTokens(body)).append(',')
          .append(bodies.maxTokens(body)).append(',').append(log.pool[row] == null ? "" : log.pool[row]).append(',');
      count(line, log.usageInput[row], log.end[row] != 0).append(',');
      count(line, log.usageOutput[row], log.end[row] != 0).append('\n');
      out.append(line);
    }
  }

  private static String outcome(int code, long sentAt, long endAt) {
    if (code == BLOCKED) {
      return "blocked";
    }
    if (sentAt == 0) {
      return "unsent";
    }
    if (endAt == 0 && code == 0) {
      return "unfinished";
    }
    return switch (code) {
      case CONNECTION -> "connection";
      case TIMEOUT -> "timeout";
      case POOL_BUSY -> "pool-busy";
      case STREAM_ERROR -> LoadVerticle.STREAM_ERROR;
      case TRUNCATED -> LoadVerticle.TRUNCATED;
      default -> code >= 200 && code < 300 ? "ok" : "http";
    };
  }

  /** A usage count, or nothing when the answer stated none or never came. */
  private static StringBuilder count(StringBuilder b, int n, boolean answered) {
    return answered && n >= 0 ? b.append(n) : b;
  }

  private static StringBuilder ms(StringBuilder b, long nanos) {
    return b.append(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
  }
}
