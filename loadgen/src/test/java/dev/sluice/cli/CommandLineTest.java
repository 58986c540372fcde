package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.sluice.Sluice;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * Every command of {@code ./sluice}, found in the command tree itself (so a new one is covered without being
 * listed here): {@code --help} exits 0 with its usage, a bad flag and an option without its value exit 2 with
 * one line in the shared shape and the synopsis, and none of them prints a stack trace.
 */
class CommandLineTest {
  private static final String STACK_FRAME = "\tat ";

  record Outcome(int status, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Sluice.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  /** Every command below the root, as its words on the command line ({@code bench cluster}). */
  static Stream<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    collect(Sluice.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
        new ArrayList<>(), all);
    return all.stream();
  }

  private static void collect(CommandLine cl, List<String> words, List<List<String>> out) {
    cl.getSubcommands().forEach((name, sub) -> {
      List<String> path = new ArrayList<>(words);
      path.add(name);
      out.add(path);
      collect(sub, path, out);
    });
  }

  /** The command those words name, in a fresh tree. */
  private static CommandLine commandAt(List<String> words) {
    CommandLine cl = Sluice.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    for (String word : words) {
      cl = cl.getSubcommands().get(word);
    }
    return cl;
  }

  private static String[] line(List<String> words, String... more) {
    List<String> args = new ArrayList<>(words);
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void theTreeHasEveryCommand() {
    assertThat(commands().map(w -> String.join(" ", w))).contains("dispatcher", "loadgen", "report", "plan", "demo",
        "mock-vllm", "bench", "bench scanner", "bench cluster", "bench soak", "hash-key", "completion");
  }

  /** picocli formats descriptions as format strings: a bare {@code %} makes it warn and print the raw text. */
  @ParameterizedTest(name = "sluice {0}")
  @MethodSource("commands")
  void everyDescriptionIsAFormatStringPicocliCanFormat(List<String> words) {
    CommandLine cl = commandAt(words);
    List<String> texts = new ArrayList<>(List.of(cl.getCommandSpec().usageMessage().description()));
    // an option's text as written: OptionSpec.description() hands it over with %% already made %
    for (var arg : cl.getCommandSpec().args()) {
      if (arg.userObject() instanceof java.lang.reflect.Field field) {
        CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
        CommandLine.Parameters parameters = field.getAnnotation(CommandLine.Parameters.class);
        texts.addAll(List.of(option != null ? option.description()
            : parameters != null ? parameters.description() : new String[0]));
      }
    }
    for (String text : texts) {
      // the defaults are filled in first, as picocli does
      String filled = text.replace("${DEFAULT-VALUE}", "1").replace("${COMPLETION-CANDIDATES}", "a");
      assertThatCode(() -> String.format(java.util.Locale.ROOT, filled)).as(text).doesNotThrowAnyException();
    }
  }

  @ParameterizedTest(name = "sluice {0} --help")
  @MethodSource("commands")
  void helpExitsZeroWithTheUsage(List<String> words) {
    Outcome o = run(line(words, "--help"));
    assertThat(o.status).as(o.all()).isZero();
    assertThat(o.out).startsWith("Usage: sluice " + String.join(" ", words)).contains("-h, --help");
    assertThat(o.err).isEmpty();
  }

  @ParameterizedTest(name = "sluice {0} --no-such-flag")
  @MethodSource("commands")
  void aBadFlagExitsTwoWithOneLineAndTheUsage(List<String> words) {
    Outcome o = run(line(words, "--no-such-flag"));
    String name = "sluice " + String.join(" ", words);
    assertThat(o.status).as(o.all()).isEqualTo(2);
    assertThat(o.err.lines().findFirst().orElse("")).startsWith(name + ": ").contains("--no-such-flag");
    assertThat(o.err).contains("Usage: " + name).doesNotContain(STACK_FRAME).doesNotContain("Exception");
    assertThat(o.out).isEmpty();
  }

  @ParameterizedTest(name = "sluice {0} --option-without-value")
  @MethodSource("commands")
  void anOptionWithoutItsValueExitsTwo(List<String> words) {
    CommandLine cl = commandAt(words);
    OptionSpec valued = cl.getCommandSpec().options().stream()
        .filter(opt -> opt.arity().min() >= 1 && !opt.usageHelp() && !opt.versionHelp()).findFirst().orElse(null);
    if (valued == null) {
      return; // nothing but switches
    }
    Outcome o = run(line(words, valued.longestName()));
    assertThat(o.status).as(o.all()).isEqualTo(2);
    assertThat(o.err).startsWith("sluice " + String.join(" ", words) + ": ").contains(valued.longestName())
        .doesNotContain(STACK_FRAME);
  }

  @Test
  void theRootAloneAsksForACommand() {
    Outcome o = run();
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice: name a command\n");
  }

  @Test
  void anUnknownCommandIsNamed() {
    Outcome o = run("serve");
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice: unmatched argument at index 0: 'serve'");
  }

  @Test
  void versionNamesSluiceAndItsRuntime() {
    Outcome o = run("--version");
    assertThat(o.status).isZero();
    assertThat(o.out).startsWith("sluice ").contains("Java " + Runtime.version().feature(), "Vert.x", "Hazelcast");
  }

  @Test
  void aMissingFileIsOneLineNotATrace(@TempDir Path dir) {
    Outcome o = run("plan", "--trace", dir.resolve("absent.csv").toString());
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice plan: no such file: ").doesNotContain(STACK_FRAME);
  }

  @Test
  void aBadValueFromTheConfigurationTableIsAUsageErrorToo() {
    Outcome o = run("dispatcher", "--port", "eighty");
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice dispatcher: --port must be an integer").doesNotContain(STACK_FRAME);
  }

  /** A bad key in the --config file: the same shape and status as a bad flag, in a JVM of its own. */
  @Test
  void aBadConfigFileExitsTwoAndNamesTheKey(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("node.yaml"), """
        port: 8080
        pools:
          - {name: short, context: 8192, endpoints: [http://127.0.0.1:9001]}
        cluster: {publish_period_ms: 0}
        """);
    Process p = sluice("dispatcher", "--config", file.toString());
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isEqualTo(2);
    assertThat(printed).startsWith("sluice dispatcher: cluster.publish_period_ms must be > 0")
        .doesNotContain(STACK_FRAME);
  }

  /** A model whose ladder names a pool the file does not define: refused at start like any bad key. */
  @Test
  void aLadderNamingNoPoolExitsTwoAndNamesTheKey(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("node.yaml"), """
        pools:
          - {name: short, context: 8192, endpoints: [http://127.0.0.1:9001]}
        models:
          - {name: llama, aliases: [fast], pools: [short, huge]}
        """);
    Process p = sluice("dispatcher", "--config", file.toString());
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isEqualTo(2);
    assertThat(printed).startsWith("sluice dispatcher: models[0].pools 'huge' is not a pool in 'pools:'")
        .doesNotContain(STACK_FRAME);
  }

  /** A TLS certificate that is not there stops the node before it serves, as a bad key does. */
  @Test
  void aMissingCertificateExitsTwoAndNamesTheKey(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("absent.crt");
    Path key = Files.writeString(dir.resolve("node.key"), "not read: the certificate is checked first");
    Process p = sluice("dispatcher", "--pool", "short=8192@http://127.0.0.1:9", "--tls-cert", missing.toString(),
        "--tls-key", key.toString());
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isEqualTo(2);
    assertThat(printed).startsWith("sluice dispatcher: tls.cert_file names '" + missing + "'")
        .doesNotContain(STACK_FRAME);
  }

  @Test
  void theDispatcherFlagsAreTheConfigurationTables() {
    Outcome o = run("dispatcher", "--help");
    assertThat(o.out).contains("--pool=NAME=CONTEXT@URL", "--cluster-name=NAME", "--config=FILE");
  }

  @Test
  void aReportThatIsNotOneIsRefusedByName(@TempDir Path dir) throws IOException {
    Path notReport = Files.writeString(dir.resolve("x.json"), "{\"schema\":\"other\"}");
    Outcome o = run("report", notReport.toString());
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice report: " + notReport + " is not a load generator report");
  }

  @Test
  void bashCompletionCoversCommandsAndTheirOptionsAndParses(@TempDir Path dir) throws Exception {
    Outcome o = run("completion", "bash");
    assertThat(o.status).isZero();
    assertThat(o.out).contains("complete -F", "dispatcher", "mock-vllm", "--short-context", "--cluster-name");
    Path script = Files.writeString(dir.resolve("sluice.bash"), o.out);
    Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    assertThat(bash.exitValue()).isZero();
  }

  /** The issue's own example, in a JVM of its own: the exit status the shell sees, and no trace. */
  @Test
  void aPlanWithoutItsRateExitsTwoAsAProcess() throws Exception {
    Process p = sluice("plan", "--cdf", "x");
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isEqualTo(2);
    assertThat(printed).startsWith("sluice plan: --cdf needs --rate R").doesNotContain(STACK_FRAME);
  }

  /** {@code ./sluice ARGS} in a JVM of its own, its output and errors in one stream. */
  static Process sluice(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Sluice.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }
}
