package dev.sluice.planner;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench planner}: how long one fleet simulation of a long, fast trace takes. One run, no
 * early stop, on the homogeneous (long-configured) fleet, which has the most engine work per request.
 */
@Command(name = "planner", description = "One planner fleet simulation: conv at 1,000 req/s for an hour.")
public final class PlannerBench implements Callable<Integer> {
  static final String DEFAULT_TRACE = "azure/AzureLLMInferenceTrace_conv.csv";
  static final double DEFAULT_RATE = 1000;
  static final double DEFAULT_DURATION = 3600;
  /** About what the conv trace needs at 1,000 req/s within a 2 s TTFT P99 on the gpu profile. */
  static final int DEFAULT_INSTANCES = 260;

  @Option(names = "--trace", paramLabel = "FILE", description = "Azure trace CSV (default the shared conv trace)")
  Path trace;
  @Option(names = "--rate", paramLabel = "R", defaultValue = "" + DEFAULT_RATE, description = "re-rated to R req/s (default 1000)")
  double rate;
  @Option(names = "--duration", paramLabel = "S", defaultValue = "" + DEFAULT_DURATION,
      description = "looped to fill S seconds (default 3600)")
  double duration;
  @Option(names = "--instances", paramLabel = "N", defaultValue = "" + DEFAULT_INSTANCES,
      description = "fleet size (default ${DEFAULT-VALUE})")
  int instances;
  @Option(names = "--profile", paramLabel = "NAME", defaultValue = "gpu", description = "(default ${DEFAULT-VALUE})")
  String profile;
  @Option(names = "--pool", paramLabel = "long|short", defaultValue = "long",
      description = "the configuration simulated (default ${DEFAULT-VALUE})")
  String pool;
  @Option(names = "--short-context", paramLabel = "N", defaultValue = "8192",
      description = "with --pool short: its context (default ${DEFAULT-VALUE})")
  int shortContext;

  @Option(names = "--no-enable-prefix-caching", description = "no prefix cache in the engine")
  boolean noPrefixCaching;

  @Override
  public Integer call() throws Exception {
    Path file = trace != null ? trace : PlanCommand.sharedData().resolve(DEFAULT_TRACE);
    ShapeScaling shapes = ShapeScaling.shipped(profile).withPrefixCaching(!noPrefixCaching);
    EngineSpec spec = pool.equals("short") ? shapes.shortPool(shortContext)
        : shapes.longPool(PlanCommand.DEFAULT_LONG_CONTEXT);

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long loadStart = System.nanoTime();
    Trace trace = Trace.readAzureCsv(file).rerated(rate, duration);
    boolean[] fits = new boolean[trace.size()];
    for (int i = 0; i < fits.length; i++) {
      fits[i] = spec.admits(trace.prompt(i), trace.output(i));  // a short pool only sees what fits it
    }
    trace = trace.select(fits);
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

    long cpuStart = threads.getCurrentThreadCpuTime();
    long wallStart = System.nanoTime();
    FleetSimulator.Result r = FleetSimulator.run(trace, spec, instances, null);
    double wall = (System.nanoTime() - wallStart) / 1e9;
    double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;

    System.out.printf(Locale.ROOT, "planner simulation: %s re-rated to %.0f req/s for %.0f s%n", file.getFileName(),
        rate, duration);
    System.out.printf(Locale.ROOT, "  fleet        %d x %s%n", instances, spec.describe());
    System.out.printf(Locale.ROOT, "  requests     %,d (completed %,d), engine steps %,d, virtual makespan %.1f s%n",
        r.requests(), r.completed(), r.steps(), r.makespan());
    System.out.printf(Locale.ROOT, "  TTFT         p50 %.0f ms, p99 %.0f ms; preemptions %d%n", r.ttftP50() * 1000,
        r.ttftP99() * 1000, r.preemptions());
    System.out.printf(Locale.ROOT, "  time         simulation %.1f s wall, %.1f s CPU of the simulating thread "
        + "(trace load %.1f s); %.2f M steps/s%n", wall, cpu, loadSeconds, r.steps() / cpu / 1e6);
    return 0;
  }
}
