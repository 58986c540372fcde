package dev.sluice.dispatcher.health;

import java.nio.charset.StandardCharsets;

/**
 * Reads the four vLLM gauges Sluice routes on, and the two token counters its live throughput figures use, from a Prometheus (or OpenMetrics) text exposition,
 * without regex, without splitting into strings and without allocating per line.
 *
 * <p>{@code vllm:num_requests_running} and {@code vllm:num_requests_waiting} are summed over their label
 * sets (one per engine or data-parallel rank); the KV-cache fill is the highest over label sets.
 * {@code vllm:kv_cache_usage_perc} wins over the pre-0.10 name {@code vllm:gpu_cache_usage_perc} when a
 * server exposes both. Despite "perc", vLLM reports both as a fraction in [0,1].
 */
public final class VllmMetricsParser {

  static final byte[] RUNNING = ascii("vllm:num_requests_running");
  static final byte[] WAITING = ascii("vllm:num_requests_waiting");
  static final byte[] KV_USAGE = ascii("vllm:kv_cache_usage_perc");
  static final byte[] GPU_CACHE_USAGE = ascii("vllm:gpu_cache_usage_perc");
  static final byte[] PROMPT_TOKENS = ascii("vllm:prompt_tokens_total");
  static final byte[] GENERATION_TOKENS = ascii("vllm:generation_tokens_total");

  private VllmMetricsParser() {
  }

  /** Parses a whole exposition; metrics not found are -1 in the result. */
  public static EndpointLoad parse(byte[] text, int length, long atNanos) {
    double running = -1;
    double waiting = -1;
    double kv = -1;
    double legacyKv = -1;
    double prompt = -1;
    double generation = -1;
    int pos = 0;
    while (pos < length) {
      int lineEnd = indexOf(text, (byte) '\n', pos, length);
      if (text[pos] != '#') {
        int which = which(text, pos, lineEnd);
        if (which >= 0) {
          double value = sampleValue(text, pos, lineEnd);
          if (!Double.isNaN(value)) {
            switch (which) {
              case 0 -> running = (running < 0 ? 0 : running) + value;
              case 1 -> waiting = (waiting < 0 ? 0 : waiting) + value;
              case 2 -> kv = Math.max(kv, value);
              case 3 -> legacyKv = Math.max(legacyKv, value);
              case 4 -> prompt = (prompt < 0 ? 0 : prompt) + value;
              default -> generation = (generation < 0 ? 0 : generation) + value;
            }
          }
        }
      }
      pos = lineEnd + 1;
    }
    return new EndpointLoad(running, waiting, kv >= 0 ? kv : legacyKv, atNanos, prompt, generation);
  }

  public static EndpointLoad parse(byte[] text, long atNanos) {
    return parse(text, text.length, atNanos);
  }

  /**
   * 0..5 for running, waiting, kv, legacy kv, prompt tokens, generation tokens; -1 for any other metric
   * (including _created/_bucket suffixes).
   */
  private static int which(byte[] text, int from, int to) {
    if (startsWithName(text, from, to, RUNNING)) {
      return 0;
    }
    if (startsWithName(text, from, to, WAITING)) {
      return 1;
    }
    if (startsWithName(text, from, to, KV_USAGE)) {
      return 2;
    }
    if (startsWithName(text, from, to, GPU_CACHE_USAGE)) {
      return 3;
    }
    if (startsWithName(text, from, to, PROMPT_TOKENS)) {
      return 4;
    }
    if (startsWithName(text, from, to, GENERATION_TOKENS)) {
      return 5;
    }
    return -1;
  }

  private static boolean startsWithName(byte[] text, int from, int to, byte[] name) {
    int end = from + name.length;
    if (end >= to) {
      return false;
    }
    for (int i = 0; i < name.length; i++) {
      if (text[from + i] != name[i]) {
        return false;
      }
    }
    byte next = text[end];
    return next == '{' || next == ' ' || next == '\t';
  }

  /** The sample value after the name and the optional label block; NaN when unreadable. */
  static double sampleValue(byte[] text, int from, int to) {
    int i = from;
    while (i < to && text[i] != '{' && text[i] != ' ' && text[i] != '\t') {
      i++;
    }
    if (i < to && text[i] == '{') {
      i = skipLabels(text, i + 1, to);
      if (i < 0) {
        return Double.NaN;
      }
    }
    while (i < to && (text[i] == ' ' || text[i] == '\t')) {
      i++;
    }
    int end = i;
    while (end < to && text[end] != ' ' && text[end] != '\t' && text[end] != '\r') {
      end++;
    }
    return parseNumber(text, i, end);
  }

  /** Index just past the closing brace, honouring quoted values with backslash escapes; -1 if unclosed. */
  private static int skipLabels(byte[] text, int i, int to) {
    boolean quoted = false;
    while (i < to) {
      byte b = text[i];
      if (quoted) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          quoted = false;
        }
      } else if (b == '"') {
        quoted = true;
      } else if (b == '}') {
        return i + 1;
      }
      i++;
    }
    return -1;
  }

  /** Decimal, scientific, NaN and ±Inf as Prometheus writes them; NaN for anything else. */
  static double parseNumber(byte[] text, int from, int to) {
    if (from >= to) {
      return Double.NaN;
    }
    int i = from;
    boolean negative = false;
    if (text[i] == '+' || text[i] == '-') {
      negative = text[i] == '-';
      i++;
    }
    if (i < to && (text[i] == 'I' || text[i] == 'i')) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    long mantissa = 0;
    int digits = 0;
    int scale = 0;
    boolean seenDigit = false;
    boolean afterPoint = false;
    for (; i < to; i++) {
      byte b = text[i];
      if (b >= '0' && b <= '9') {
        seenDigit = true;
        if (digits < 18) {
          mantissa = mantissa * 10 + (b - '0');
          if (mantissa != 0) {
            digits++;
          }
          if (afterPoint) {
            scale--;
          }
        } else if (!afterPoint) {
          scale++;
        }
      } else if (b == '.' && !afterPoint) {
        afterPoint = true;
      } else {
        break;
      }
    }
    if (!seenDigit) {
      return Double.NaN;
    }
    if (i < to && (text[i] == 'e' || text[i] == 'E')) {
      i++;
      boolean expNegative = false;
      if (i < to && (text[i] == '+' || text[i] == '-')) {
        expNegative = text[i] == '-';
        i++;
      }
      int exp = 0;
      boolean expDigit = false;
      for (; i < to && text[i] >= '0' && text[i] <= '9'; i++) {
        expDigit = true;
        exp = Math.min(exp * 10 + (text[i] - '0'), 1000);
      }
      if (!expDigit) {
        return Double.NaN;
      }
      scale += expNegative ? -exp : exp;
    }
    if (i != to) {
      return Double.NaN;
    }
    double value = scale == 0 ? mantissa : mantissa * Math.pow(10, scale);
    return negative ? -value : value;
  }

  private static int indexOf(byte[] text, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text[i] == b) {
        return i;
      }
    }
    return to;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
