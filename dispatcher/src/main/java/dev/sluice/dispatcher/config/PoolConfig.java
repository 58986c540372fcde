package dev.sluice.dispatcher.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.config.Type;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One pool of upstream endpoints that share a context size: an item of {@code pools:}.
 *
 * @param name      label in headers, metrics and logs
 * @param context   the pool's context size in tokens (prompt plus output)
 * @param endpoints base URLs of its OpenAI-compatible servers, e.g. {@code http://10.0.0.5:8000}, or
 *                  {@code dns+http://NAME:PORT} for every address of a DNS name
 * @param limits    HTTP client limits towards each endpoint
 * @param caFile    PEM certificates that https endpoints are checked against, or null for the JVM's trust store
 */
public record PoolConfig(String name, int context, List<URI> endpoints, ClientLimits limits, Path caFile) {
  static final Key<PoolConfig, String> NAME = Key.of("name", Type.TEXT, PoolConfig::name).required().notBlank()
      .rule(PoolConfig::nameProblem)
      .doc("label used in `x-sluice-pool`, metrics and logs; ASCII letters, digits, `-`, `_`, `.`");
  static final Key<PoolConfig, Integer> CONTEXT =
      Key.of("context", Type.INTEGER, PoolConfig::context).required().positive()
      .doc("the pool's context size in tokens (prompt plus output), `> 0`, distinct per pool. Set it to the "
          + "pool's vLLM `--max-model-len`");
  static final Key<PoolConfig, List<URI>> ENDPOINTS = Key.of("endpoints", Type.URLS, PoolConfig::endpoints).required()
      .rule(e -> !e.isEmpty(), "must name at least one URL").rule(PoolConfig::endpointProblem)
      .doc("root URLs of the pool's OpenAI-compatible servers (`http://host:port` or `https://`, no `/v1`); a "
          + "path in the URL is kept as a prefix. `dns+http://NAME:PORT` (or `dns+https://`) stands for every A "
          + "and AAAA record of `NAME`, each its own endpoint, looked up again every `discovery.dns_refresh_ms`");
  static final Key<PoolConfig, Path> CA_FILE = Key.of("ca_file", Type.PATH, PoolConfig::caFile)
      .rule(PoolConfig::caFileProblem)
      .doc("PEM certificates the pool's `https://` endpoints are checked against (their host name too); none: "
          + "the JVM's trust store");
  static final Sub<PoolConfig, ClientLimits> LIMITS = Sub.inline(ClientLimits.SECTION, PoolConfig::limits);

  /** One item of {@code pools:}. */
  public static final Section<PoolConfig> SECTION = Section.of(null,
      v -> new PoolConfig(v.get(NAME), v.get(CONTEXT), v.get(ENDPOINTS), v.get(LIMITS), v.get(CA_FILE)),
      NAME, CONTEXT, ENDPOINTS, CA_FILE, LIMITS);

  private static final List<String> SCHEMES = List.of("http", "https", "dns+http", "dns+https");

  /** The form of {@code --pool}. */
  static final String SPEC = "NAME=CONTEXT@URL[,URL...]";

  public PoolConfig {
    endpoints = List.copyOf(endpoints);
  }

  public PoolConfig(String name, int context, List<URI> endpoints) {
    this(name, context, endpoints, ClientLimits.DEFAULTS, null);
  }

  public PoolConfig withCaFile(Path value) {
    return SECTION.with(this, CA_FILE, value);
  }

  /** {@code NAME=CONTEXT@URL[,URL...]}, as the item of {@code pools:} it stands for. */
  static ObjectNode parseSpec(String spec) {
    int eq = spec.indexOf('=');
    int at = spec.indexOf('@', eq + 1);
    if (eq <= 0 || at < 0) {
      throw new ConfigException("--pool '" + spec + "' must look like " + SPEC);
    }
    String name = spec.substring(0, eq);
    String context = spec.substring(eq + 1, at).trim();
    ObjectNode item = JsonNodeFactory.instance.objectNode().put(NAME.name(), name);
    try {
      item.put(CONTEXT.name(), Integer.parseInt(context));
    } catch (NumberFormatException e) {
      throw new ConfigException("--pool " + name + " context must be an integer, got '" + context + "'");
    }
    var urls = item.putArray(ENDPOINTS.name());
    for (String url : spec.substring(at + 1).split(",")) {
      if (!url.isBlank()) {
        urls.add(url.trim());
      }
    }
    return item;
  }

  private static String caFileProblem(Path file) {
    return Files.isReadable(file) ? null : "'" + file + "' cannot be read";
  }

  private static String nameProblem(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 128 || !(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
        return "'" + name + "' may use only ASCII letters, digits, '-', '_' and '.'";
      }
    }
    return null;
  }

  private static String endpointProblem(List<URI> endpoints) {
    for (int i = 0; i < endpoints.size(); i++) {
      URI u = endpoints.get(i);
      if (!SCHEMES.contains(u.getScheme())) {
        return "[" + i + "] must be an http://, https://, dns+http:// or dns+https:// URL, got '" + u + "'";
      }
      if (u.getHost() == null) {
        return "[" + i + "] has no host: '" + u + "'";
      }
    }
    return null;
  }
}
