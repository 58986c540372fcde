package dev.sluice.planner;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./sluice bench planner}: how long one fleet simulation of a long, fast trace takes. One run, no
 * early stop, on the homogeneous (long-configured) fleet, which has the most engine work per request.
 */
public final class PlannerBench {
  static final String DEFAULT_TRACE = "azure/AzureLLMInferenceTrace_conv.csv";
  static final double DEFAULT_RATE = 1000;
  static final double DEFAULT_DURATION = 3600;
  /** About what the conv trace needs at 1,000 req/s within a 2 s TTFT P99 on the gpu profile. */
  static final int DEFAULT_INSTANCES = 260;

  private PlannerBench() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = PlanCommand.parse(args, Set.of("no-enable-prefix-caching"), Set.of("trace", "rate",
        "duration", "instances",
        "profile", "pool", "short-context"));
    if (opts == null) {
      System.out.println("usage: ./sluice bench planner [--trace FILE] [--rate R] [--duration S] [--instances N]"
          + " [--profile gpu] [--pool long|short] [--short-context N] [--no-enable-prefix-caching]");
      return;
    }
    Path file = opts.containsKey("trace") ? Path.of(opts.get("trace"))
        : PlanCommand.sharedData().resolve(DEFAULT_TRACE);
    double rate = Double.parseDouble(opts.getOrDefault("rate", Double.toString(DEFAULT_RATE)));
    double duration = Double.parseDouble(opts.getOrDefault("duration", Double.toString(DEFAULT_DURATION)));
    int instances = Integer.parseInt(opts.getOrDefault("instances", Integer.toString(DEFAULT_INSTANCES)));
    ShapeScaling shapes = ShapeScaling.shipped(opts.getOrDefault("profile", "gpu"))
        .withPrefixCaching(!opts.containsKey("no-enable-prefix-caching"));
    EngineSpec spec = opts.getOrDefault("pool", "long").equals("short")
        ? shapes.shortPool(Integer.parseInt(opts.getOrDefault("short-context", "8192")))
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
  }
}
