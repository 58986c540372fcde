package dev.sluice.planner;

import dev.sluice.loadgen.AzureTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

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
    return poissonArrivals(rate, duration, new SplittableRandom(seed), (random, size) -> {
      int row = random.nextInt(arrival.length);
      size[0] = prompt[row];
      size[1] = output[row];
    });
  }

  /**
   * Poisson arrivals at {@code rate} for {@code duration} seconds, each request's total drawn from a length
   * distribution and split into {@code outputShare} output tokens (at least one) and the rest prompt (at least
   * one). The split is the one the CDFs' source simulator uses (20% output by default).
   */
  public static Trace fromCdf(LengthCdf cdf, double rate, double duration, double outputShare, long seed) {
    if (!(outputShare > 0 && outputShare < 1)) {
      throw new IllegalArgumentException("output share must be between 0 and 1");
    }
    return poissonArrivals(rate, duration, new SplittableRandom(seed), (random, size) -> {
      int total = cdf.sample(random);
      int out = (int) Math.min(total - 1, Math.max(1, Math.round(total * outputShare)));
      size[0] = total - out;
      size[1] = out;
    });
  }

  /** Draws one request's prompt and output tokens into {@code size[0]} and {@code size[1]}. */
  private interface Sizes {
    void draw(SplittableRandom random, int[] size);
  }

  private static Trace poissonArrivals(double rate, double duration, SplittableRandom random, Sizes sizes) {
    if (!(rate > 0) || !(duration > 0)) {
      throw new IllegalArgumentException("rate and duration must be positive");
    }
    int cap = (int) Math.min(Integer.MAX_VALUE - 8, (long) (rate * duration * 1.1) + 16);
    double[] a = new double[cap];
    int[] p = new int[cap];
    int[] o = new int[cap];
    int[] size = new int[2];
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
      sizes.draw(random, size);
      a[n] = t;
      p[n] = size[0];
      o[n] = size[1];
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
    List<AzureTrace.Row> rows = AzureTrace.read(file);
    double[] a = new double[rows.size()];
    int[] p = new int[rows.size()];
    int[] o = new int[rows.size()];
    int n = 0;
    long first = -1;
    for (AzureTrace.Row r : rows) {
      if (r.contextTokens() <= 0 && r.generatedTokens() <= 0) {
        continue;
      }
      if (first < 0) {
        first = r.offsetNanos();
      }
      a[n] = (r.offsetNanos() - first) / 1e9;
      p[n] = Math.max(1, r.contextTokens());
      o[n] = Math.max(1, r.generatedTokens());
      n++;
    }
    return new Trace(Arrays.copyOf(a, n), Arrays.copyOf(p, n), Arrays.copyOf(o, n));
  }
}
