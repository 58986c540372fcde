package dev.sluice;

import dev.sluice.cli.Cli;
import dev.sluice.cli.CompletionCommand;
import dev.sluice.cli.Version;
import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.dispatcher.NodeConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * The one entry point behind the {@code ./sluice} launcher: one picocli command line whose subcommands are
 * Sluice's commands, each with its options in one class ({@code dispatcher}'s generated from the
 * configuration key table).
 */
@Command(name = "sluice", versionProvider = Version.class,
    description = "Token-budget-aware dispatcher for LLM serving pools, with its load generator, vLLM mock, "
        + "planner and benchmarks.",
    synopsisSubcommandLabel = "COMMAND",
    footer = {"", "'sluice COMMAND --help' lists a command's options."})
public final class Sluice implements Runnable {
  static final String DISPATCHER = "dispatcher";

  @CommandLine.Option(names = {"-V", "--version"}, versionHelp = true, description = "print the version and exit")
  boolean version;

  @CommandLine.Spec
  CommandSpec spec;

  private Sluice() {
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err));
  }

  /** Parses and runs one command line; returns its exit status. A serving command returns only on failure. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(out, err).execute(args);
  }

  /** The whole command tree with the shared layout, writing to {@code out} and {@code err}. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine root = new CommandLine(new Sluice());
    CommandSpec dispatcher = NodeConfig.BINDING.commandSpec().name(DISPATCHER);
    dispatcher.usageMessage().description("Run a dispatcher node: flags > SLUICE_* variables > --config file "
        + "> defaults (docs/configuration.md).");
    root.addSubcommand(DISPATCHER, new CommandLine(dispatcher));
    for (Object command : List.of(new dev.sluice.loadgen.LoadgenCommand(), new dev.sluice.report.ReportCommand(),
        new dev.sluice.planner.PlanCommand(), new dev.sluice.demo.DemoCommand(), new dev.sluice.mock.MockVllmMain(),
        new dev.sluice.bench.Bench(), new dev.sluice.dispatcher.security.HashKeyMain(), new CompletionCommand())) {
      root.addSubcommand(new CommandLine(command)); // built alone so that its model transformer runs
    }
    root.setExecutionStrategy(Sluice::execute);
    return Cli.configure(root, out, err);
  }

  /** The dispatcher's model has no command object: it is started from its own arguments, as they were given. */
  private static int execute(ParseResult parsed) {
    Integer help = CommandLine.executeHelpRequest(parsed);
    if (help != null) {
      return help;
    }
    if (parsed.hasSubcommand() && parsed.subcommand().commandSpec().name().equals(DISPATCHER)) {
      CommandLine dispatcher = parsed.subcommand().commandSpec().commandLine();
      String[] args = parsed.originalArgs().toArray(String[]::new);
      try {
        DispatcherMain.serve(Arrays.copyOfRange(args, 1, args.length));
      } catch (ConfigException e) {
        throw Cli.usageError(dispatcher.getCommandSpec(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        throw new CommandLine.ExecutionException(dispatcher, "cannot start",
            new Cli.Failure("cannot start: " + e.getMessage(), e));
      }
      return Cli.EXIT_OK;
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  @Override
  public void run() {
    throw Cli.usageError(spec, "name a command");
  }
}
