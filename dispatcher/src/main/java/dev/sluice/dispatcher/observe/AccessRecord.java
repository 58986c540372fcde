package dev.sluice.dispatcher.observe;

/**
 * What one request did, captured on its event loop as plain values; formatted later by the access log's
 * writer thread.
 *
 * @param epochMillis  when the request finished
 * @param requestId    the client's {@code x-request-id}, or the one Sluice generated
 * @param pool         pool that served (or refused) it; null when it was refused before routing
 * @param endpoint     endpoint URL of the last try, or null: upstream addresses are logged here, never sent to
 *                     clients
 * @param category     estimator category, null before the body was scanned
 * @param textBytes    decoded UTF-8 bytes of the prompt text, -1 before the body was scanned
 * @param estimate     estimated prompt tokens, -1 before the estimate
 * @param budget       total routing budget (prompt plus output reserve), -1 before the estimate
 * @param promptTokens prompt tokens the upstream reported ({@code usage.prompt_tokens}), -1 when unknown
 * @param status       HTTP status sent to the client (499 when the client left first)
 * @param retries      upstream tries beyond the first
 * @param ttftMillis   from the request's routing to its first response byte, -1 when none was sent
 * @param durationMillis from routing to the end
 * @param outcome      {@code ok}, {@code refused}, {@code error}, {@code aborted} or {@code client_closed}
 * @param error        the failure table's code when the request failed (e.g. {@code upstream_reset}), else null
 */
public record AccessRecord(long epochMillis, String requestId, String pool, String endpoint, String category,
    long textBytes, int estimate, int budget, int promptTokens, int status, int retries, double ttftMillis,
    double durationMillis, String outcome, String error) {

  /** One JSON object on one line; strings escaped, absent values as null. */
  public String toJson() {
    return appendJson(new StringBuilder(320)).toString();
  }

  /**
   * Appends {@link #toJson()}'s line to {@code b} and returns it; the writer thread reuses one builder for
   * every line, so formatting allocates nothing.
   */
  public StringBuilder appendJson(StringBuilder b) {
    b.append("{\"ts\":").append(epochMillis);
    str(b, "request_id", requestId);
    str(b, "pool", pool);
    str(b, "endpoint", endpoint);
    str(b, "category", category);
    num(b, "text_bytes", textBytes);
    num(b, "estimate", estimate);
    num(b, "budget", budget);
    num(b, "prompt_tokens", promptTokens);
    b.append(",\"status\":").append(status);
    b.append(",\"retries\":").append(retries);
    b.append(",\"ttft_ms\":");
    if (ttftMillis < 0) {
      b.append("null");
    } else {
      tenths(b, ttftMillis);
    }
    b.append(",\"duration_ms\":");
    tenths(b, durationMillis);
    str(b, "outcome", outcome);
    str(b, "error", error);
    return b.append('}');
  }

  /** A count, or null when it is negative (not known). */
  private static void num(StringBuilder b, String name, long value) {
    b.append(",\"").append(name).append("\":");
    if (value < 0) {
      b.append("null");
    } else {
      b.append(value);
    }
  }

  /** Milliseconds to one decimal, without Double.toString's garbage. */
  private static void tenths(StringBuilder b, double millis) {
    long t = Math.round(Math.max(0, millis) * 10);
    b.append(t / 10).append('.').append((char) ('0' + t % 10));
  }

  private static void str(StringBuilder b, String name, String value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
