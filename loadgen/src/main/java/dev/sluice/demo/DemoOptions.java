package dev.sluice.demo;

import java.nio.file.Path;

/**
 * What one demo run does.
 *
 * @param quick          the short CI variant
 * @param timeScale      how much faster than a GPU the mocks run (virtual seconds per wall second)
 * @param rate           offered load in requests per virtual second
 * @param warmupSeconds  wall seconds sent but not recorded, per fleet
 * @param measureSeconds wall seconds recorded, per fleet
 * @param shortContext   the short pool's context (routing threshold)
 * @param outDir         where the HTML reports go
 * @param seed           prompt synthesis and category draws
 */
public record DemoOptions(boolean quick, double timeScale, double rate, double warmupSeconds, double measureSeconds,
    int shortContext, Path outDir, long seed) {

  public static final int LONG_CONTEXT = 65536;
  static final double TIME_SCALE = 2;
  /** About 80% of what three homogeneous instances sustain on the conv mix (3 x 4.1 req/s). */
  static final double RATE = 10;
  static final int SHORT_CONTEXT = 4096;
  static final Path OUT_DIR = Path.of("out", "demo");

  public static final String HELP = """
      usage: ./sluice demo [--quick] [--time-scale X] [--rate R] [--seconds S] [--short-context N] [--out DIR]
        --quick           a short variant (about 40 s) that still runs every part; the default when CI=true
        --time-scale X    mock GPUs run X times faster than real ones (default 2)
        --rate R          offered load in requests per GPU-second (default 10: ~80% of 3 long instances)
        --seconds S       measured wall seconds per fleet (default 15, quick 4)
        --short-context N the short pool's context in tokens (default 4096)
        --out DIR         where the HTML reports are written (default out/demo)
      """;

  public static DemoOptions defaults(boolean quick) {
    return quick
        ? new DemoOptions(true, TIME_SCALE, RATE, 1, 4, SHORT_CONTEXT, OUT_DIR, 1)
        : new DemoOptions(false, TIME_SCALE, RATE, 3, 15, SHORT_CONTEXT, OUT_DIR, 1);
  }

  /** Parses the command line; null when help was asked for. */
  public static DemoOptions parse(String[] args, boolean ci) {
    boolean quick = ci;
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      }
    }
    DemoOptions o = defaults(quick);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> {
        }
        case "--help", "-h" -> {
          return null;
        }
        case "--time-scale" -> o = o.with(Double.parseDouble(value(args, ++i)), o.rate, o.measureSeconds,
            o.shortContext, o.outDir);
        case "--rate" -> o = o.with(o.timeScale, Double.parseDouble(value(args, ++i)), o.measureSeconds, o.shortContext,
            o.outDir);
        case "--seconds" -> o = o.with(o.timeScale, o.rate, Double.parseDouble(value(args, ++i)), o.shortContext,
            o.outDir);
        case "--short-context" -> o = o.with(o.timeScale, o.rate, o.measureSeconds, Integer.parseInt(value(args, ++i)),
            o.outDir);
        case "--out" -> o = o.with(o.timeScale, o.rate, o.measureSeconds, o.shortContext, Path.of(value(args, ++i)));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!(o.timeScale > 0) || !(o.rate > 0) || !(o.measureSeconds > 0) || o.shortContext < 1
        || o.shortContext >= LONG_CONTEXT) {
      throw new IllegalArgumentException("time scale, rate and seconds must be > 0; short context below "
          + LONG_CONTEXT);
    }
    return o;
  }

  private DemoOptions with(double ts, double r, double seconds, int shortCtx, Path out) {
    return new DemoOptions(quick, ts, r, warmupSeconds, seconds, shortCtx, out, seed);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  /** Requests per wall second. */
  double wallRate() {
    return rate * timeScale;
  }
}
