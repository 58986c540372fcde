package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./sluice completion bash}: a completion script for every command and option, generated from the same
 * model that parses them. It also serves zsh through {@code bashcompinit}.
 */
@Command(name = "completion", description = {
    "Print a shell completion script for ./sluice, its commands and their options.",
    "Load it with:  source <(./sluice completion bash)",
    "zsh:           autoload -U +X bashcompinit && bashcompinit && source <(./sluice completion bash)"})
public final class CompletionCommand implements Callable<Integer> {

  /** The shells a script can be printed for. */
  enum Shell { bash }

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "the shell: ${COMPLETION-CANDIDATES}")
  Shell shell;

  @Override
  public Integer call() {
    CommandSpec root = spec.root();
    // not println: a script with a platform line separator other than \n breaks in bash
    spec.commandLine().getOut().print(AutoComplete.bash(root.name(), root.commandLine()));
    spec.commandLine().getOut().print('\n');
    spec.commandLine().getOut().flush();
    return Cli.EXIT_OK;
  }
}
