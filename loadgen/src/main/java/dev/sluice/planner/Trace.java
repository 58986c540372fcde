package dev.sluice.planner;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * A request trace in columns: arrival time (seconds from the first request), prompt tokens, output tokens.
 * Arrivals are sorted. Columns are kept as primitive arrays because a re-rated hour holds millions of rows.
 */
public final class Trace {
  private final double[] arrival;
  private final int[] prompt;
  private final int[] output;

  public Trace(double[] arrival, int[] prompt, int[] output) {
    if (arrival.length != prompt.length || arrival.length != output.length) {
      throw new IllegalArgumentException("columns differ in length");
    }
    for (int i = 1; i < arrival.length; i++) {
      if (arrival[i] < arrival[i - 1]) {
        throw new IllegalArgumentException("arrivals not sorted at row " + i);
      }
    }
    this.arrival = arrival;
    this.prompt = prompt;
    this.output = output;
  }

  public int size() {
    return arrival.length;
  }

  public double arrival(int i) {
    return arrival[i];
  }

  public int prompt(int i) {
    return prompt[i];
  }

  public int output(int i) {
    return output[i];
  }

  public int total(int i) {
    return prompt[i] + output[i];
  }

  /** Seconds from the first arrival to the last. */
  public double span() {
    return arrival.length < 2 ? 0 : arrival[arrival.length - 1] - arrival[0];
  }

  /** Requests per second over the span; a trace of n rows has n-1 gaps. */
  public double meanRate() {
    return arrival.length < 2 ? 0 : (arrival.length - 1) / span();
  }

  /**
   * The same requests at a new mean rate, looped until {@code duration} seconds are filled. Gaps are scaled
   * by one factor so the trace keeps its burstiness; each loop starts one mean gap after the previous one
   * ended. {@code duration <= 0} means one pass.
   */
  public Trace rerated(double rate, double duration) {
    if (arrival.length < 2) {
      throw new IllegalArgumentException("a trace needs two requests to be re-rated");
    }
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be positive");
    }
    double scale = meanRate() / rate;
    double passLength = span() * scale + 1 / rate;
    double end = duration > 0 ? duration : span() * scale;
    int passes = duration > 0 ? (int) Math.ceil(end / passLength) : 1;
    int cap = (int) Math.min(Integer.MAX_VALUE - 8, (long) passes * arrival.length);
    double[] a = new double[cap];
    int[] p = new int[cap];
    int[] o = new int[cap];
    int n = 0;
    double base0 = arrival[0];
    outer:
    for (int pass = 0; pass < passes; pass++) {
      double offset = pass * passLength;
      for (int i = 0; i < arrival.length; i++) {
        double t = offset + (arrival[i] - base0) * scale;
        if (t > end) {
          break outer;
        }
        a[n] = t;
        p[n] = prompt[i];
        o[n] = output[i];
        n++;
      }
    }
    return new Trace(Arrays.copyOf(a, n), Arrays.copyOf(p, n), Arrays.copyOf(o, n));
  }

  /**
   * Poisson arrivals at {@code rate} for {@code duration} seconds, each request's sizes drawn uniformly from
   * this trace's rows. Keeps the size mix and drops the trace's timing (bursts, and which sizes come
   * together), which is what the closed-form cost model assumes.
   */
  public Trace poisson(double rate, double duration, long seed) {
    if (!(rate > 0) || !(duration > 0)) {
      throw new IllegalArgumentException("rate and duration must be positive");
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    int cap = (int) Math.min(Integer.MAX_VALUE - 8, (long) (rate * duration * 1.1) + 16);
    double[] a = new double[cap];
    int[] p = new int[cap];
    int[] o = new int[cap];
    int n = 0;
    double t = 0;
    while (true) {
      t += -Math.log(1 - random.nextDouble()) / rate;
      if (t > duration) {
        break;
      }
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
        p = Arrays.copyOf(p, n * 2);
        o = Arrays.copyOf(o, n * 2);
      }
      int row = random.nextInt(arrival.length);
      a[n] = t;
      p[n] = prompt[row];
      o[n] = output[row];
      n++;
    }
    return new Trace(Arrays.copyOf(a, n), Arrays.copyOf(p, n), Arrays.copyOf(o, n));
  }

  /** The rows for which {@code keep[i]} is true, with their arrival times unchanged. */
  public Trace select(boolean[] keep) {
    int n = 0;
    for (boolean k : keep) {
      n += k ? 1 : 0;
    }
    double[] a = new double[n];
    int[] p = new int[n];
    int[] o = new int[n];
    int j = 0;
    for (int i = 0; i < arrival.length; i++) {
      if (keep[i]) {
        a[j] = arrival[i];
        p[j] = prompt[i];
        o[j] = output[i];
        j++;
      }
    }
    return new Trace(a, p, o);
  }

  /**
   * Reads an Azure LLM inference trace: {@code TIMESTAMP,ContextTokens,GeneratedTokens} with timestamps like
   * {@code 2023-11-16 18:17:03.9799600}. Requests with no prompt and no output are dropped; an output of zero
   * is kept as one token (the engine always emits at least one).
   */
  public static Trace readAzureCsv(Path file) throws IOException {
    int cap = 1 << 14;
    double[] a = new double[cap];
    int[] p = new int[cap];
    int[] o = new int[cap];
    int n = 0;
    double first = Double.NaN;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = in.readLine();
      if (line == null || !line.startsWith("TIMESTAMP")) {
        throw new IOException(file + ": not an Azure LLM trace (no TIMESTAMP header)");
      }
      int row = 1;
      while ((line = in.readLine()) != null) {
        row++;
        if (line.isBlank()) {
          continue;
        }
        int c1 = line.indexOf(',');
        int c2 = line.indexOf(',', c1 + 1);
        if (c1 < 0 || c2 < 0) {
          throw new IOException(file + ":" + row + ": expected three columns");
        }
        double t = epochSeconds(line.substring(0, c1).trim());
        int context = Integer.parseInt(line.substring(c1 + 1, c2).trim());
        int generated = Integer.parseInt(line.substring(c2 + 1).trim());
        if (context <= 0 && generated <= 0) {
          continue;
        }
        if (Double.isNaN(first)) {
          first = t;
        }
        if (n == a.length) {
          a = Arrays.copyOf(a, n * 2);
          p = Arrays.copyOf(p, n * 2);
          o = Arrays.copyOf(o, n * 2);
        }
        a[n] = t - first;
        p[n] = Math.max(1, context);
        o[n] = Math.max(1, generated);
        n++;
      }
    }
    return new Trace(Arrays.copyOf(a, n), Arrays.copyOf(p, n), Arrays.copyOf(o, n));
  }

  // "yyyy-MM-dd HH:mm:ss[.fffffff]" (optionally with a 'T' and a trailing zone, which is ignored)
  static double epochSeconds(String ts) {
    LocalDate day = LocalDate.parse(ts.substring(0, 10));
    int h = Integer.parseInt(ts.substring(11, 13));
    int m = Integer.parseInt(ts.substring(14, 16));
    int s = Integer.parseInt(ts.substring(17, 19));
    double frac = 0;
    if (ts.length() > 19 && ts.charAt(19) == '.') {
      int end = 20;
      while (end < ts.length() && Character.isDigit(ts.charAt(end))) {
        end++;
      }
      frac = Double.parseDouble("0" + ts.substring(19, end));
    }
    return day.toEpochDay() * 86400.0 + h * 3600 + m * 60 + s + frac;
  }
}
