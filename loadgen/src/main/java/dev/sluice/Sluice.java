package dev.sluice;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one entry point behind the {@code ./sluice} launcher: picks a subcommand and hands it the rest. */
public final class Sluice {

  /** One subcommand: its main and a line of help. */
  private record Command(String help, Main main) {
  }

  @FunctionalInterface
  interface Main {
    void run(String[] args) throws Exception;
  }

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    // one line per subcommand, in the order --help lists them
    COMMANDS.put("dispatcher", new Command("run a dispatcher node: ./sluice dispatcher --help", dev.sluice.dispatcher.DispatcherMain::main));
    COMMANDS.put("loadgen", new Command("open-loop load generator with reports", dev.sluice.loadgen.Loadgen::main));
    COMMANDS.put("hash-key", new Command("SHA-256 of an API key read from stdin, for security.keys", dev.sluice.dispatcher.security.HashKeyMain::main));
    COMMANDS.put("bench", new Command("benchmarks: ./sluice bench --help", dev.sluice.bench.Bench::main));
    COMMANDS.put("mock-vllm", new Command("a vLLM-faithful mock server over the engine model", dev.sluice.mock.MockVllmMain::main));
    COMMANDS.put("plan", new Command("size a homogeneous vs a routed fleet for a trace", dev.sluice.planner.PlanCommand::main));
    COMMANDS.put("demo", new Command("the whole idea end to end in one JVM (--quick for CI)", dev.sluice.demo.Demo::main));
  }

  private Sluice() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      usage();
      return;
    }
    Command command = COMMANDS.get(args[0]);
    if (command == null) {
      System.err.println("sluice: unknown command '" + args[0] + "'");
      usage();
      System.exit(2);
    }
    command.main().run(Arrays.copyOfRange(args, 1, args.length));
  }

  private static void usage() {
    StringBuilder out = new StringBuilder("usage: ./sluice <command> [options]   (<command> --help for its options)\n\n");
    COMMANDS.forEach((name, c) -> out.append(String.format("  %-12s %s%n", name, c.help())));
    System.out.print(out);
  }
}
