package dev.sluice.loadgen;

import dev.sluice.cli.Cli;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./sluice loadgen}: the load generator's command line. Its options are still read by {@link Loadgen#parse};
 * their list is the help's footer.
 */
@Command(name = "loadgen", description = "Open-loop load generator: rates or Azure trace replay, TTFT/ITL/TPOT, "
    + "JSON and HTML reports.", modelTransformer = LoadgenCommand.Options.class)
public final class LoadgenCommand implements Callable<Integer> {

  /** Lists the load generator's options under the usage. */
  static final class Options implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.usageMessage().footer("", Loadgen.USAGE.replace("%", "%%"));
      return spec;
    }
  }

  @Spec
  CommandSpec spec;
  @Unmatched
  List<String> args = new ArrayList<>();

  public LoadgenCommand() {
  }

  @Override
  public Integer call() throws Exception {
    String[] argv = args.toArray(String[]::new);
    if (Conversations.asked(argv)) {
      Conversations.Options conversations;
      try {
        conversations = Conversations.parse(argv);
      } catch (IllegalArgumentException e) {
        throw Cli.usageError(spec, e.getMessage());
      }
      if (conversations == null) {
        spec.commandLine().getOut().print(Conversations.USAGE);
        return 0;
      }
      Conversations.serve(conversations);
      return 0;
    }
    Loadgen.Options options;
    try {
      options = Loadgen.parse(args.toArray(String[]::new));
    } catch (IllegalArgumentException e) {
      throw Cli.usageError(spec, e.getMessage());
    }
    if (options == null) {
      spec.commandLine().getOut().print(Loadgen.USAGE);
      return 0;
    }
    if (!options.modelSet()) {
      options = options.withModel(Loadgen.servedModel(options.target()));
    }
    Loadgen.run(options);
    return 0;
  }
}
