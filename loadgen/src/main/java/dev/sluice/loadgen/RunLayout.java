package dev.sluice.loadgen;

import java.util.List;

/**
 * How one run's schedule divides into the groups it reports on: consecutive stages in time, each alternated over
 * the targets. Group {@code g = stage * targets + target} gets its own counters, histograms and report.
 *
 * <p>Entry {@code i} of the schedule goes to target {@code (i / verticles) % targets}: each verticle (which owns
 * every {@code verticles}-th entry) alternates over all targets, so no target depends on one event loop alone.
 *
 * @param targets   how many targets the schedule alternates over
 * @param stages    the measured stages, in time order; requests due before the first one are warm-up
 * @param verticles the verticles sharing the schedule (the stride of {@link OpenLoopDriver})
 */
public record RunLayout(int targets, List<Stage> stages, int verticles) {

  /**
   * One measured stretch of the schedule.
   *
   * @param rate          requests per second the stage was planned at (0 when the plan has no single rate)
   * @param startNanos    schedule offset where it starts
   * @param durationNanos its length; 0 = up to the end of the schedule
   */
  public record Stage(double rate, long startNanos, long durationNanos) {
  }

  public RunLayout {
    stages = List.copyOf(stages);
    if (targets < 1 || stages.isEmpty() || verticles < 1) {
      throw new IllegalArgumentException("a layout needs a target, a stage and a verticle");
    }
  }

  /** One stage from the end of the warm-up to the end of the schedule. */
  public static RunLayout single(int targets, double rate, long warmupNanos, int verticles) {
    return new RunLayout(targets, List.of(new Stage(rate, warmupNanos, 0)), verticles);
  }

  public int groups() {
    return stages.size() * targets;
  }

  public int targetOf(int index) {
    return targets == 1 ? 0 : (index / verticles) % targets;
  }

  /** The stage a request due at {@code offsetNanos} belongs to (warm-up counts to the first). */
  public int stageOf(long offsetNanos) {
    for (int s = stages.size() - 1; s > 0; s--) {
      if (offsetNanos >= stages.get(s).startNanos()) {
        return s;
      }
    }
    return 0;
  }

  public int groupOf(int index, long offsetNanos) {
    return stages.size() == 1 ? targetOf(index) : stageOf(offsetNanos) * targets + targetOf(index);
  }

  public Stage stage(int group) {
    return stages.get(group / targets);
  }

  public int target(int group) {
    return group % targets;
  }
}
