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
    return appendJson(new LineBuffer(320)).toString();
  }

  /**
   * Appends {@link #toJson()}'s line to {@code b} as UTF-8 and returns it; the writer thread reuses one buffer for
   * every line, so formatting allocates nothing.
   */
  public LineBuffer appendJson(LineBuffer b) {
    b.ascii("{\"ts\":").num(epochMillis);
    str(b, ",\"request_id\":", requestId);
    str(b, ",\"pool\":", pool);
    str(b, ",\"endpoint\":", endpoint);
    str(b, ",\"category\":", category);
    num(b, ",\"text_bytes\":", textBytes);
    num(b, ",\"estimate\":", estimate);
    num(b, ",\"budget\":", budget);
    num(b, ",\"prompt_tokens\":", promptTokens);
    b.ascii(",\"status\":").num(status);
    b.ascii(",\"retries\":").num(retries);
    b.ascii(",\"ttft_ms\":");
    if (ttftMillis < 0) {
      b.ascii("null");
    } else {
      tenths(b, ttftMillis);
    }
    b.ascii(",\"duration_ms\":");
    tenths(b, durationMillis);
    str(b, ",\"outcome\":", outcome);
    str(b, ",\"error\":", error);
    return b.ascii('}');
  }

  /** A count, or null when it is negative (not known). */
  private static void num(LineBuffer b, String key, long value) {
    b.ascii(key);
    if (value < 0) {
      b.ascii("null");
    } else {
      b.num(value);
    }
  }

  /** Milliseconds to one decimal, without Double.toString's garbage. */
  private static void tenths(LineBuffer b, double millis) {
    long t = Math.round(Math.max(0, millis) * 10);
    b.num(t / 10).ascii('.').ascii((char) ('0' + t % 10));
  }

  private static void str(LineBuffer b, String key, String value) {
    b.ascii(key);
    if (value == null) {
      b.ascii("null");
    } else {
      b.jsonString(value);
    }
  }
}
