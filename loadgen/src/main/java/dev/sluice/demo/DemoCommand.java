package dev.sluice.demo;

import dev.sluice.cli.Cli;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./sluice demo}: the options of one demo run, in this one class. */
@Command(name = "demo", description = "The whole idea end to end in one JVM: mock vLLM pools, two clustered "
    + "dispatchers, a trace replayed through a routed and a homogeneous fleet, savings shown; writes one "
    + "comparison page.",
    exitCodeList = {"0:demo passed", "1:something essential broke (the summary says what)", "2:bad command line"})
public final class DemoCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--quick", description = "a short variant (about 40 s) that still runs every part; the default "
      + "when CI=true")
  boolean quick;
  @Option(names = "--time-scale", paramLabel = "X",
      description = "mock GPUs run X times faster than real ones (default " + DemoOptions.TIME_SCALE + ")")
  Double timeScale;
  @Option(names = "--rate", paramLabel = "R", description = "offered load in requests per GPU-second (default "
      + DemoOptions.RATE + ": ~80%% of 3 long instances)")
  Double rate;
  @Option(names = "--seconds", paramLabel = "S", description = "measured wall seconds per fleet (default 15, "
      + "quick 4)")
  Double seconds;
  @Option(names = "--short-context", paramLabel = "N",
      description = "the short pool's context in tokens (default " + DemoOptions.SHORT_CONTEXT + ")")
  Integer shortContext;
  @Option(names = "--out", paramLabel = "DIR", description = "where the comparison page and both fleets' JSON "
      + "reports are written (default out/demo)")
  Path out;

  public DemoCommand() {
  }

  /** The run these options describe; {@code ci} makes it quick. */
  DemoOptions options(boolean ci) {
    DemoOptions d = DemoOptions.defaults(quick || ci);
    DemoOptions o = new DemoOptions(d.quick(), timeScale != null ? timeScale : d.timeScale(),
        rate != null ? rate : d.rate(), d.warmupSeconds(), seconds != null ? seconds : d.measureSeconds(),
        shortContext != null ? shortContext : d.shortContext(), out != null ? out : d.outDir(), d.seed());
    if (!(o.timeScale() > 0) || !(o.rate() > 0) || !(o.measureSeconds() > 0)) {
      throw Cli.usageError(spec, "--time-scale, --rate and --seconds must be > 0");
    }
    if (o.shortContext() < 1 || o.shortContext() >= DemoOptions.LONG_CONTEXT) {
      throw Cli.usageError(spec, "--short-context must be between 1 and " + (DemoOptions.LONG_CONTEXT - 1));
    }
    return o;
  }

  @Override
  public Integer call() throws Exception {
    DemoOptions options = options("true".equalsIgnoreCase(System.getenv("CI")));
    DemoSummary summary = Demo.runUntilDone(options);
    return summary.passed() ? Cli.EXIT_OK : Cli.EXIT_FAILED;
  }
}
