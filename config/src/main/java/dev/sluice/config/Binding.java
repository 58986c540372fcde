package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command's configuration: the table (a root {@link Section}) bound from an optional YAML file
 * ({@code --config FILE}), the {@code SLUICE_*} variables over it and the command-line flags over both —
 * flag &gt; environment &gt; file &gt; default — then checked whole.
 *
 * @param <R> the root record
 */
public final class Binding<R> {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * A bound configuration.
   *
   * @param config           the root record, every rule checked
   * @param file             the {@code --config} file, or null
   * @param unusedVariables  {@code SLUICE_*} variables that set no key and that no key names (likely typos)
   */
  public record Loaded<R>(R config, Path file, List<String> unusedVariables) {
  }

  private final Section<R> root;
  private final Environment environment;
  private final Flags flags;

  /** @param command the command's name in usage and help, e.g. {@code sluice dispatcher} */
  public Binding(String command, Section<R> root) {
    this.root = root;
    this.environment = new Environment(root);
    this.flags = new Flags(command, root);
  }

  /** Reads, overlays, binds and checks; a bad value fails with a {@link ConfigException} naming it. */
  public Loaded<R> load(String[] args, Map<String, String> env) {
    Flags.Parsed parsed = flags.parse(args);
    JsonNode file = parsed.config() == null ? null : readYaml(parsed.config());
    if (file != null && !file.isObject()) {
      throw new ConfigException("(top level) must be a mapping");
    }
    ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) file;
    Environment.Result overridden = environment.apply(tree, env);
    Flags.apply(parsed, tree);
    Binder.Context context = new Binder.Context(env::get, true);
    R config = Binder.bind(root, tree, "", null, context, true);
    List<String> unused = overridden.ignored().stream().filter(v -> !context.named().contains(v)).toList();
    return new Loaded<>(config, parsed.config(), unused);
  }

  /** Whether the command line asks for {@code --help} (nothing else is read then). */
  public boolean helpRequested(String[] args) {
    return flags.parse(args).help();
  }

  public String usage() {
    return flags.usage();
  }

  /** The command's picocli model, e.g. to mount it as a subcommand of a larger command line. */
  public CommandSpec commandSpec() {
    return flags.spec();
  }

  public Section<R> root() {
    return root;
  }

  /** The {@code --config} file's path on a command line, or null. */
  public Path configFile(String[] args) {
    return flags.parse(args).config();
  }

  /** The flags as markdown table rows: flag with its value, key path, meaning. */
  List<String[]> flagRows() {
    return flags.rows();
  }

  /** The variable of a key path: {@code pools[0].endpoints} → {@code SLUICE_POOLS_0_ENDPOINTS}. */
  public static String variable(String path) {
    return Environment.variable(path);
  }

  /** The parsed YAML file, or null when it is empty. */
  public static JsonNode readYaml(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config " + file + ": " + e.getMessage(), e);
    }
    return root == null || root.isMissingNode() || root.isNull() ? null : root;
  }
}
