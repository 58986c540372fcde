package dev.sluice.bench;

import dev.sluice.cli.Cli;
import dev.sluice.loadgen.Api;
import dev.sluice.loadgen.Loadgen;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./sluice bench loadgen [loadgen options]}: how fast the load generator itself can go. Starts an
 * {@link InstantUpstream} in the same process (its own Vert.x, {@code --upstream-loops} event loops, default 1) and
 * drives it with the given load generator options ({@code --target} is filled in).
 */
@Command(name = "loadgen", description = "Load generator ceiling against an in-process instant server; the "
    + "load generator's options pass through (--target is filled in).")
public final class GeneratorBench implements Callable<Integer> {

  @Spec
  CommandSpec spec;
  @Option(names = "--upstream-loops", paramLabel = "N", defaultValue = "1",
      description = "event loops of the instant server (default ${DEFAULT-VALUE})")
  int loops;
  @Unmatched
  List<String> loadgenOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<String> rest = new ArrayList<>(loadgenOptions);
    if (!rest.contains("--rate") && !rest.contains("--closed") && !rest.contains("--trace")
        && !rest.contains("--stages")) {
      rest.addAll(0, List.of("--rate", "10000"));
    }
    Vertx upstream = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    try {
      int port = InstantUpstream.deploy(upstream, 0, loops).await();
      rest.addAll(0, List.of("--target", "http://127.0.0.1:" + port));
      Loadgen.Options options;
      try {
        options = Loadgen.parse(rest.toArray(String[]::new));
        if (options != null && options.api() != Api.CHAT) {
          // the instant server answers in chat's shapes only; another API's reader would count every answer failed
          throw new IllegalArgumentException("bench loadgen drives chat only, not --api " + options.api().id());
        }
      } catch (IllegalArgumentException e) {
        throw Cli.usageError(spec, e.getMessage());
      }
      Loadgen.run(options);
    } finally {
      upstream.close().await();
    }
    return 0;
  }
}
