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

  public static DemoOptions defaults(boolean quick) {
    return quick
        ? new DemoOptions(true, TIME_SCALE, RATE, 1, 4, SHORT_CONTEXT, OUT_DIR, 1)
        : new DemoOptions(false, TIME_SCALE, RATE, 3, 15, SHORT_CONTEXT, OUT_DIR, 1);
  }

  /** Requests per wall second. */
  double wallRate() {
    return rate * timeScale;
  }
}
