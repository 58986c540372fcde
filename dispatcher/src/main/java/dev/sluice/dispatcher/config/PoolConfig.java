package dev.sluice.dispatcher.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.config.Type;
import java.net.URI;
import java.util.List;

/**
 * One pool of upstream endpoints that share a context size: an item of {@code pools:}.
 *
 * @param name      label in headers, metrics and logs
 * @param context   the pool's context size in tokens (prompt plus output)
 * @param endpoints base URLs of its OpenAI-compatible servers, e.g. {@code http://10.0.0.5:8000}
 * @param limits    HTTP client limits towards each endpoint
 */
public record PoolConfig(String name, int context, List<URI> endpoints, ClientLimits limits) {
  static final Key<PoolConfig, String> NAME = Key.of("name", Type.TEXT, PoolConfig::name).required().notBlank()
      .rule(PoolConfig::nameProblem)
      .doc("label used in `x-sluice-pool`, metrics and logs; ASCII letters, digits, `-`, `_`, `.`");
  static final Key<PoolConfig, Integer> CONTEXT =
      Key.of("context", Type.INTEGER, PoolConfig::context).required().positive()
      .doc("the pool's context size in tokens (prompt plus output), `> 0`, distinct per pool. Set it to the "
          + "pool's vLLM `--max-model-len`");
  static final Key<PoolConfig, List<URI>> ENDPOINTS = Key.of("endpoints", Type.URLS, PoolConfig::endpoints).required()
      .rule(e -> !e.isEmpty(), "must name at least one URL").rule(PoolConfig::endpointProblem)
      .doc("root URLs of the pool's OpenAI-compatible servers (`http://host:port`, no `/v1`); a path in the URL "
          + "is kept as a prefix");
  static final Sub<PoolConfig, ClientLimits> LIMITS = Sub.inline(ClientLimits.SECTION, PoolConfig::limits);

  /** One item of {@code pools:}. */
  public static final Section<PoolConfig> SECTION = Section.of(null,
      v -> new PoolConfig(v.get(NAME), v.get(CONTEXT), v.get(ENDPOINTS), v.get(LIMITS)),
      NAME, CONTEXT, ENDPOINTS, LIMITS);

  /** The form of {@code --pool}. */
  static final String SPEC = "NAME=CONTEXT@URL[,URL...]";

  public PoolConfig {
    endpoints = List.copyOf(endpoints);
  }

  public PoolConfig(String name, int context, List<URI> endpoints) {
    this(name, context, endpoints, ClientLimits.DEFAULTS);
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
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        return "[" + i + "] must be an http:// or https:// URL, got '" + u + "'";
      }
      if (u.getHost() == null) {
        return "[" + i + "] has no host: '" + u + "'";
      }
    }
    return null;
  }
}
