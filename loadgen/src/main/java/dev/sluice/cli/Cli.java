package dev.sluice.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * What every {@code ./sluice} command line shares: one help layout, one error shape and the exit status that
 * goes with it. A bad command line prints {@code sluice <cmd>: <what is wrong>}, the command's synopsis and
 * where its options are listed, and exits with {@link #EXIT_USAGE}; a command that fails for a reason the
 * user can mend (a missing file, a port in use) prints one line too and exits with {@link #EXIT_FAILED}.
 * Only a fault in Sluice itself ends with a stack trace.
 */
public final class Cli {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  static final int WIDTH = 100;
  static final String HELP_DOC = "print the usage and exit";

  private Cli() {
  }

  /** Lays the shared layout and handlers over {@code root} and every command below it. */
  public static CommandLine configure(CommandLine root, PrintWriter out, PrintWriter err) {
    root.setOut(out);
    root.setErr(err);
    root.setParameterExceptionHandler(Cli::badCommandLine);
    root.setExecutionExceptionHandler((e, cl, parsed) -> failed(e, cl));
    layout(root);
    return root;
  }

  private static void layout(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    spec.usageMessage().width(WIDTH).sortOptions(false).abbreviateSynopsis(true)
        .exitCodeListHeading("%nExit status:%n");
    if (spec.usageMessage().exitCodeList().isEmpty()) {
      Map<String, String> codes = new LinkedHashMap<>();
      codes.put(Integer.toString(EXIT_OK), "done");
      codes.put(Integer.toString(EXIT_FAILED), "failed (the message says why)");
      codes.put(Integer.toString(EXIT_USAGE), "bad command line");
      spec.usageMessage().exitCodeList(codes);
    }
    if (spec.findOption("--help") == null) {
      spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description(HELP_DOC).build());
    }
    spec.exitCodeOnInvalidInput(EXIT_USAGE).exitCodeOnExecutionException(EXIT_FAILED);
    cl.setExpandAtFiles(false); // a value may start with '@'
    cl.getSubcommands().values().forEach(Cli::layout);
  }

  /** A usage error found after parsing, in the same shape as one picocli finds. */
  public static ParameterException usageError(CommandSpec spec, String problem) {
    return new ParameterException(spec.commandLine(), problem);
  }

  private static int badCommandLine(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String unknown = e instanceof CommandLine.MissingParameterException ? unknownOption(cl.getCommandSpec(), args) : null;
    // picocli checks what is missing before what is unknown; a mistyped flag is the likelier cause of both
    String problem = unknown != null ? "unknown option: '" + unknown + "'" : sentence(e.getMessage());
    err.println(cl.getCommandSpec().qualifiedName() + ": " + problem);
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.print(cl.getHelp().synopsisHeading() + cl.getHelp().synopsis(0));
    err.println("('" + cl.getCommandSpec().qualifiedName() + " --help' lists the options)");
    err.flush();
    return EXIT_USAGE;
  }

  /** The first word after the command's name that looks like an option the command does not have, or null. */
  private static String unknownOption(CommandSpec spec, String[] args) {
    boolean inCommand = spec.parent() == null;
    for (String arg : args) {
      if (arg.equals("--")) {
        return null;
      }
      if (!inCommand) {
        inCommand = arg.equals(spec.name());
        continue;
      }
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (name.startsWith("-") && name.length() > 1 && spec.findOption(name) == null) {
        return arg;
      }
    }
    return null;
  }

  private static int failed(Exception e, CommandLine cl) throws Exception {
    String name = cl.getCommandSpec().qualifiedName();
    PrintWriter err = cl.getErr();
    if (e instanceof NoSuchFileException f) {
      return badCommandLine(new ParameterException(cl, "no such file: " + f.getFile()), new String[0]);
    }
    if (e instanceof AccessDeniedException f) {
      return badCommandLine(new ParameterException(cl, "cannot read " + f.getFile()), new String[0]);
    }
    if (e instanceof Failure || e instanceof java.io.IOException) {
      err.println(name + ": " + e.getMessage());
      err.flush();
      return EXIT_FAILED;
    }
    throw e; // a fault in Sluice: picocli prints the stack trace
  }

  /** picocli's messages start with a capital; ours continue the {@code sluice cmd:} line in lower case. */
  static String sentence(String message) {
    if (message == null || message.isEmpty()) {
      return "bad command line";
    }
    return message.length() > 1 && Character.isUpperCase(message.charAt(0)) && Character.isLowerCase(message.charAt(1))
        ? message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1) : message;
  }

  /** A command that could not do its work for a reason its message states: one line, exit status 1. */
  public static final class Failure extends RuntimeException {
    public Failure(String message) {
      super(message);
    }

    public Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
