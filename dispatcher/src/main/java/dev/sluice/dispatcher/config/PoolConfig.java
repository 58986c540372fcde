package dev.sluice.dispatcher.config;

import java.net.URI;
import java.util.List;

/**
 * One pool of upstream endpoints that share a context size.
 *
 * @param name      label in headers, metrics and logs
 * @param context   the pool's context size in tokens (prompt plus output)
 * @param endpoints base URLs of its OpenAI-compatible servers, e.g. {@code http://10.0.0.5:8000}
 * @param limits    HTTP client limits towards each endpoint
 */
public record PoolConfig(String name, int context, List<URI> endpoints, ClientLimits limits) {

  public PoolConfig {
    endpoints = List.copyOf(endpoints);
  }

  public PoolConfig(String name, int context, List<URI> endpoints) {
    this(name, context, endpoints, ClientLimits.DEFAULTS);
  }

  void validate(String at) {
    ConfigException.require(name != null && !name.isBlank(), at + ".name must not be empty");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.';
      ConfigException.require(ok && c < 128, at + ".name '" + name + "' may use only ASCII letters, digits, '-', '_' and '.'");
    }
    ConfigException.require(context > 0, at + ".context must be > 0");
    ConfigException.require(!endpoints.isEmpty(), at + ".endpoints must name at least one URL");
    for (int i = 0; i < endpoints.size(); i++) {
      URI u = endpoints.get(i);
      String scheme = u.getScheme();
      ConfigException.require("http".equals(scheme) || "https".equals(scheme),
          at + ".endpoints[" + i + "] must be an http:// or https:// URL, got '" + u + "'");
      ConfigException.require(u.getHost() != null, at + ".endpoints[" + i + "] has no host: '" + u + "'");
    }
    limits.validate(at);
  }
}
