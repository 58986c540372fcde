package dev.sluice.bench;

import dev.sluice.cli.Cli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./sluice bench <name>}: the benchmarks whose figures go into docs/benchmarks.md. Each is a command
 * whose options are the fields of its own class; a new one is that class and one entry in the list below.
 */
@Command(name = "bench", description = "The benchmarks behind docs/benchmarks.md.",
    synopsisSubcommandLabel = "NAME",
    subcommands = {
        ScannerBench.Run.class,
        StreamTapBench.Run.class,
        EdgeBench.Run.class,
        dev.sluice.planner.PlannerBench.class,
        EstimatorOfflineBench.Run.class,
        EstimatorLiveBench.Run.class,
        ClusterBench.class,
        RhoBench.class,
        MockRpsBench.class,
        GeneratorBench.class,
        OverheadBench.class,
        TracingBench.class,
        MemoryBench.class,
        AffinityBench.class,
        SoakBench.class})
public final class Bench implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  public Bench() {
  }

  @Override
  public Integer call() {
    throw Cli.usageError(spec, "name a benchmark");
  }
}
