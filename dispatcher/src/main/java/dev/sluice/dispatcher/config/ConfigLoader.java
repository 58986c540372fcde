package dev.sluice.dispatcher.config;

import static dev.sluice.dispatcher.config.ConfigNodes.checkKeys;
import static dev.sluice.dispatcher.config.ConfigNodes.integer;
import static dev.sluice.dispatcher.config.ConfigNodes.requireObject;
import static dev.sluice.dispatcher.config.ConfigNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@link DispatcherConfig} from a YAML file and command-line flags. The file is read first, then
 * each flag overrides it; the result is validated before it is returned.
 *
 * <p>Flags: {@code --config FILE}, {@code --host ADDR}, {@code --port N},
 * {@code --pool NAME=CONTEXT@URL[,URL...]} (repeatable; replaces the file's pool of the same name, else adds one).
 */
public final class ConfigLoader {
  private static final Set<String> TOP_KEYS =
      Set.of("host", "port", "body_cap_bytes", "default_output_reserve", "timeouts", "client", "pools",
          "reliability", "cluster", "access_log", "logging"); // the last four have their own loaders
  private static final Set<String> TIMEOUT_KEYS = Set.of("connect_ms", "first_byte_ms", "stream_idle_ms", "models_ms");
  private static final Set<String> LIMIT_KEYS = Set.of("max_connections_per_endpoint", "max_wait_queue");
  private static final Set<String> POOL_KEYS =
      Set.of("name", "context", "endpoints", "max_connections_per_endpoint", "max_wait_queue");

  public static final String USAGE = String.join("\n",
      "usage: ./sluice dispatcher [--config FILE] [--host ADDR] [--port N] [--pool NAME=CONTEXT@URL[,URL...]]...",
      "  --config FILE   YAML configuration (see docs/configuration.md)",
      "  --host ADDR     bind address (default " + Defaults.HOST + ")",
      "  --port N        listen port (default " + Defaults.PORT + ")",
      "  --pool SPEC     a pool, e.g. short=8192@http://127.0.0.1:9001,http://127.0.0.1:9002 (repeatable)");

  private ConfigLoader() {
  }

  /** Parses flags (reading {@code --config} first, wherever it stands, then the environment) and validates. */
  public static DispatcherConfig fromArgs(String[] args) {
    return fromArgs(args, loadTree(args, System.getenv()).tree());
  }

  /**
   * The file named by {@code --config} (an empty tree without one) with the {@code SLUICE_*} variables of
   * {@code env} laid over it: what every section binds from, before the flags.
   */
  public static EnvOverrides.Result loadTree(String[] args, java.util.Map<String, String> env) {
    Path file = configFile(args);
    JsonNode root = file == null ? null : readYaml(file);
    return EnvOverrides.apply(root, env);
  }

  /** Binds {@code tree} (file plus environment), lays the flags over it and validates. */
  public static DispatcherConfig fromArgs(String[] args, JsonNode tree) {
    DispatcherConfig config = tree == null || tree.isEmpty() ? DispatcherConfig.defaults() : fromTree(tree);
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--config" -> i++;
        case "--host" -> config = config.withHost(value(args, i++));
        case "--port" -> config = config.withPort(parseInt(value(args, i++), "--port"));
        case "--pool" -> config = config.withPool(parsePoolSpec(value(args, i++)));
        default -> throw new ConfigException("unknown option '" + flag + "'\n" + USAGE);
      }
    }
    return config.validated();
  }

  /** Reads a YAML file into an unvalidated configuration. */
  public static DispatcherConfig fromYaml(Path file) {
    JsonNode root = readYaml(file);
    return root == null ? DispatcherConfig.defaults() : fromTree(root);
  }

  /** The parsed YAML file, or null when it is empty. */
  public static JsonNode readYaml(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config " + file + ": " + e.getMessage(), e);
    }
    return root == null || root.isMissingNode() || root.isNull() ? null : root;
  }

  /** The {@code --config} file named on a command line, or null. */
  public static Path configFile(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--config")) {
        return Path.of(args[i + 1]);
      }
    }
    return null;
  }

  /** Maps a parsed YAML/JSON tree; unknown keys are refused so that typos do not pass silently. */
  public static DispatcherConfig fromTree(JsonNode root) {
    requireObject(root, "(top level)");
    checkKeys(root, TOP_KEYS, "");
    DispatcherConfig c = DispatcherConfig.defaults();
    c = c.withHost(text(root, "host", "host", c.host()));
    c = c.withPort(integer(root, "port", "port", c.port()));
    c = c.withBodyCapBytes(integer(root, "body_cap_bytes", "body_cap_bytes", c.bodyCapBytes()));
    c = c.withDefaultOutputReserve(
        integer(root, "default_output_reserve", "default_output_reserve", c.defaultOutputReserve()));
    JsonNode t = root.get("timeouts");
    if (t != null) {
      requireObject(t, "timeouts");
      checkKeys(t, TIMEOUT_KEYS, "timeouts.");
      Timeouts d = c.timeouts();
      c = c.withTimeouts(new Timeouts(
          integer(t, "connect_ms", "timeouts.connect_ms", d.connectMs()),
          integer(t, "first_byte_ms", "timeouts.first_byte_ms", d.firstByteMs()),
          integer(t, "stream_idle_ms", "timeouts.stream_idle_ms", d.streamIdleMs()),
          integer(t, "models_ms", "timeouts.models_ms", d.modelsMs())));
    }
    ClientLimits limits = ClientLimits.DEFAULTS;
    JsonNode l = root.get("client");
    if (l != null) {
      requireObject(l, "client");
      checkKeys(l, LIMIT_KEYS, "client.");
      limits = limits(l, "client", limits);
    }
    JsonNode p = root.get("pools");
    if (p != null) {
      if (!p.isArray()) {
        throw new ConfigException("pools must be a list");
      }
      List<PoolConfig> pools = new ArrayList<>();
      for (int i = 0; i < p.size(); i++) {
        pools.add(pool(p.get(i), "pools[" + i + "]", limits));
      }
      c = c.withPools(pools);
    }
    return c;
  }

  /** {@code NAME=CONTEXT@URL[,URL...]} */
  public static PoolConfig parsePoolSpec(String spec) {
    int eq = spec.indexOf('=');
    int at = spec.indexOf('@', eq + 1);
    if (eq <= 0 || at < 0) {
      throw new ConfigException("--pool '" + spec + "' must look like NAME=CONTEXT@URL[,URL...]");
    }
    String name = spec.substring(0, eq);
    int context = parseInt(spec.substring(eq + 1, at), "--pool " + name + " context");
    List<URI> endpoints = new ArrayList<>();
    for (String url : spec.substring(at + 1).split(",")) {
      if (!url.isBlank()) {
        endpoints.add(uri(url.trim(), "--pool " + name + " endpoint"));
      }
    }
    return new PoolConfig(name, context, endpoints);
  }

  private static PoolConfig pool(JsonNode n, String at, ClientLimits defaults) {
    requireObject(n, at);
    checkKeys(n, POOL_KEYS, at + ".");
    String name = text(n, "name", at + ".name", null);
    int context = integer(n, "context", at + ".context", 0);
    List<URI> endpoints = new ArrayList<>();
    JsonNode e = n.get("endpoints");
    if (e != null && e.isTextual()) {
      endpoints.add(uri(e.asText(), at + ".endpoints"));
    } else if (e != null && e.isArray()) {
      for (int i = 0; i < e.size(); i++) {
        JsonNode u = e.get(i);
        if (!u.isTextual()) {
          throw new ConfigException(at + ".endpoints[" + i + "] must be a URL string");
        }
        endpoints.add(uri(u.asText(), at + ".endpoints[" + i + "]"));
      }
    } else if (e != null) {
      throw new ConfigException(at + ".endpoints must be a list of URLs");
    }
    return new PoolConfig(name, context, endpoints, limits(n, at, defaults));
  }

  private static ClientLimits limits(JsonNode n, String at, ClientLimits d) {
    return new ClientLimits(
        integer(n, "max_connections_per_endpoint", at + ".max_connections_per_endpoint", d.maxConnectionsPerEndpoint()),
        integer(n, "max_wait_queue", at + ".max_wait_queue", d.maxWaitQueue()));
  }

  private static URI uri(String s, String key) {
    try {
      URI u = new URI(s);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new ConfigException(key + " must be an absolute URL like http://host:port, got '" + s + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new ConfigException(key + " is not a URL: '" + s + "'", e);
    }
  }

  private static int parseInt(String s, String key) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be an integer, got '" + s + "'");
    }
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new ConfigException(args[i] + " needs a value\n" + USAGE);
    }
    return args[i + 1];
  }
}
