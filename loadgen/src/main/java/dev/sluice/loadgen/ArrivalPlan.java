package dev.sluice.loadgen;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;

/**
 * The whole open-loop schedule, computed before the run: request {@code i} is due {@code offsetsNanos[i]} after the
 * start and sends body number {@code template[i]}. Offsets never decrease.
 */
public record ArrivalPlan(long[] offsetsNanos, int[] template) {

  private static final double NANOS_PER_SECOND = 1e9;

  public ArrivalPlan {
    if (offsetsNanos.length != template.length) {
      throw new IllegalArgumentException("offsets and templates differ in length");
    }
  }

  public int size() {
    return offsetsNanos.length;
  }

  /** Requests due strictly before {@code nanos} after the start. */
  public int countBefore(long nanos) {
    int i = Arrays.binarySearch(offsetsNanos, nanos);
    if (i < 0) {
      return -i - 1;
    }
    while (i > 0 && offsetsNanos[i - 1] == nanos) {
      i--;
    }
    return i;
  }

  /** Evenly spaced arrivals: request {@code i} at {@code i / rate}; templates cycle through {@code templates}. */
  public static ArrivalPlan constant(double rate, long durationNanos, int templates) {
    checkRate(rate);
    int n = (int) Math.ceil(durationNanos / NANOS_PER_SECOND * rate);
    long[] offsets = new long[n];
    int[] template = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      long at = Math.round(i * NANOS_PER_SECOND / rate);
      if (at >= durationNanos) {
        break;
      }
      offsets[count] = at;
      template[count] = i % templates;
      count++;
    }
    return new ArrivalPlan(Arrays.copyOf(offsets, count), Arrays.copyOf(template, count));
  }

  /** A Poisson process: exponential gaps with mean {@code 1 / rate}, reproducible from the seed. */
  public static ArrivalPlan poisson(double rate, long durationNanos, int templates, long seed) {
    checkRate(rate);
    SplittableRandom random = new SplittableRandom(seed);
    int capacity = (int) Math.max(16, durationNanos / NANOS_PER_SECOND * rate * 1.2 + 64);
    long[] offsets = new long[capacity];
    int[] template = new int[capacity];
    int count = 0;
    double at = 0;
    while (true) {
      at += -Math.log(1.0 - random.nextDouble()) / rate * NANOS_PER_SECOND;
      if (at >= durationNanos) {
        break;
      }
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, count * 2);
        template = Arrays.copyOf(template, count * 2);
      }
      offsets[count] = (long) at;
      template[count] = count % templates;
      count++;
    }
    return new ArrivalPlan(Arrays.copyOf(offsets, count), Arrays.copyOf(template, count));
  }

  /**
   * Gamma-distributed gaps with shape {@code burstiness} and mean {@code 1 / rate}: 1 is a Poisson process, below 1
   * arrivals come in bursts (coefficient of variation {@code 1 / sqrt(burstiness)}), above 1 they are more regular.
   * As vLLM's benchmark does, the gaps are rescaled so that the run's mean rate is exactly {@code rate}: the
   * {@code ceil(duration * rate)} arrivals start at zero and the next one would fall exactly at the end.
   */
  public static ArrivalPlan gamma(double rate, long durationNanos, int templates, long seed, double burstiness) {
    checkRate(rate);
    if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
      throw new IllegalArgumentException("burstiness must be a finite number > 0");
    }
    int n = (int) Math.ceil(durationNanos / NANOS_PER_SECOND * rate);
    SplittableRandom random = new SplittableRandom(seed);
    UniformRandomProvider bits = random::nextLong;
    ContinuousSampler gaps = AhrensDieterMarsagliaTsangGammaSampler.of(bits, burstiness, 1.0 / burstiness);
    double[] at = new double[n + 1];
    for (int i = 1; i <= n; i++) {
      at[i] = at[i - 1] + gaps.sample();
    }
    double scale = n == 0 ? 0 : durationNanos / at[n];
    long[] offsets = new long[n];
    int[] template = new int[n];
    for (int i = 0; i < n; i++) {
      offsets[i] = Math.min(durationNanos - 1, (long) (at[i] * scale));
      template[i] = i % templates;
    }
    return new ArrivalPlan(offsets, template);
  }

  /**
   * Replays a trace: row {@code r}'s offset times {@code timeScale} (below 1 compresses time), template {@code r}.
   * When the scaled trace is shorter than the run it starts over, one mean gap after its last row.
   */
  public static ArrivalPlan trace(List<AzureTrace.Row> rows, double timeScale, long durationNanos) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("empty trace");
    }
    if (!(timeScale > 0)) {
      throw new IllegalArgumentException("time scale must be > 0");
    }
    long span = Math.round(rows.get(rows.size() - 1).offsetNanos() * timeScale);
    long period = span + Math.max(1, span / Math.max(1, rows.size() - 1));
    int capacity = Math.max(16, rows.size());
    long[] offsets = new long[capacity];
    int[] template = new int[capacity];
    int count = 0;
    for (long base = 0; base < durationNanos; base += period) {
      for (int r = 0; r < rows.size(); r++) {
        long at = base + Math.round(rows.get(r).offsetNanos() * timeScale);
        if (at >= durationNanos) {
          break;
        }
        if (count == offsets.length) {
          offsets = Arrays.copyOf(offsets, count * 2);
          template = Arrays.copyOf(template, count * 2);
        }
        offsets[count] = at;
        template[count] = r;
        count++;
      }
    }
    return new ArrivalPlan(Arrays.copyOf(offsets, count), Arrays.copyOf(template, count));
  }

  /** Rate at the start of a warm-up ramp, as a fraction of the full rate. */
  public static final double RAMP_FROM = 0.1;

  /**
   * Length of schedule time a homogeneous plan needs so that {@link #rampWarmup} turns it into a warm-up of
   * {@code warmupNanos} followed by {@code durationNanos} at the full rate.
   */
  public static long rampedLength(long warmupNanos, long durationNanos) {
    return Math.round(warmupNanos * (1 + RAMP_FROM) / 2) + durationNanos;
  }

  /**
   * Warps a plan made at a constant mean rate over {@link #rampedLength} so that its rate climbs linearly from
   * {@link #RAMP_FROM} of the full rate to the full rate during the first {@code warmupNanos}, then stays there. A
   * cold generator, proxy and server get to warm up (JIT, connection pools) instead of drowning in a backlog.
   */
  public ArrivalPlan rampWarmup(long warmupNanos) {
    if (warmupNanos <= 0) {
      return this;
    }
    double w = warmupNanos;
    double rampSpan = w * (1 + RAMP_FROM) / 2;
    double a = (1 - RAMP_FROM) / (2 * w);
    long[] warped = new long[offsetsNanos.length];
    for (int i = 0; i < warped.length; i++) {
      double s = offsetsNanos[i];
      // cumulative intensity during the ramp is RAMP_FROM*t + a*t^2; solve it for t
      warped[i] = s < rampSpan
          ? (long) ((-RAMP_FROM + Math.sqrt(RAMP_FROM * RAMP_FROM + 4 * a * s)) / (2 * a))
          : (long) (w + (s - rampSpan));
    }
    return new ArrivalPlan(warped, template);
  }

  /** This plan with every offset moved later by {@code nanos} and every template by {@code templateShift}. */
  public ArrivalPlan shifted(long nanos, int templateShift, int templates) {
    long[] offsets = new long[offsetsNanos.length];
    int[] shifted = new int[template.length];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = offsetsNanos[i] + nanos;
      shifted[i] = (template[i] + templateShift) % templates;
    }
    return new ArrivalPlan(offsets, shifted);
  }

  /** Plans laid end to end; each part's offsets must already start where the previous one ends. */
  public static ArrivalPlan concat(List<ArrivalPlan> parts) {
    int n = 0;
    for (ArrivalPlan p : parts) {
      n += p.size();
    }
    long[] offsets = new long[n];
    int[] template = new int[n];
    int at = 0;
    for (ArrivalPlan p : parts) {
      System.arraycopy(p.offsetsNanos, 0, offsets, at, p.size());
      System.arraycopy(p.template, 0, template, at, p.size());
      at += p.size();
    }
    for (int i = 1; i < n; i++) {
      if (offsets[i] < offsets[i - 1]) {
        throw new IllegalArgumentException("concatenated plans overlap at entry " + i);
      }
    }
    return new ArrivalPlan(offsets, template);
  }

  /**
   * The same arrival times alternated over {@code targets}: entry {@code i} goes to {@code targetOf.applyAsInt(i)},
   * and the k-th entry of every target sends the body the k-th entry of this plan sends, so every target receives
   * the same sequence of bodies.
   */
  public ArrivalPlan alternated(int targets, java.util.function.IntUnaryOperator targetOf) {
    if (targets <= 1) {
      return this;
    }
    int[] next = new int[targets];
    int[] alternated = new int[template.length];
    for (int i = 0; i < alternated.length; i++) {
      alternated[i] = template[next[targetOf.applyAsInt(i)]++];
    }
    return new ArrivalPlan(offsetsNanos, alternated);
  }

  /** The time scale that makes the trace's mean arrival rate equal {@code rate}. */
  public static double timeScaleForRate(List<AzureTrace.Row> rows, double rate) {
    checkRate(rate);
    if (rows.size() < 2) {
      throw new IllegalArgumentException("a trace needs two rows to have a rate");
    }
    double spanSeconds = rows.get(rows.size() - 1).offsetNanos() / NANOS_PER_SECOND;
    double traceRate = (rows.size() - 1) / spanSeconds;
    return traceRate / rate;
  }

  private static void checkRate(double rate) {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be > 0");
    }
  }
}
