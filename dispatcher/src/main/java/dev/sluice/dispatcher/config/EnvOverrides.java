package dev.sluice.dispatcher.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lays {@code SLUICE_<PATH>} environment variables over the parsed YAML tree, before anything binds it, so
 * that every section (dispatcher, {@code cluster:}, {@code reliability:}) sees the same precedence:
 * command-line flag &gt; environment &gt; file &gt; default.
 *
 * <p>The name is the key's path in upper case with {@code _} between the parts and a list index as its own
 * part: {@code port} is {@code SLUICE_PORT}, {@code timeouts.first_byte_ms} is
 * {@code SLUICE_TIMEOUTS_FIRST_BYTE_MS}, {@code pools[0].endpoints} is {@code SLUICE_POOLS_0_ENDPOINTS}.
 * List values are comma-separated; other values are read as YAML scalars ({@code 8080}, {@code true},
 * {@code 0.5}). Variables that name no key are returned by {@link Result#ignored()} (the launcher's
 * {@code SLUICE_JAVA_OPTS}, or a variable holding an upstream key, share the prefix).
 */
public final class EnvOverrides {
  public static final String PREFIX = "SLUICE_";

  /** Every overridable key: {@code []} marks a list index, a trailing {@code *} a comma-separated list, {@code $} text. */
  static final List<String> KEYS = List.of(
      "host$", "port", "body_cap_bytes", "default_output_reserve",
      "timeouts.connect_ms", "timeouts.first_byte_ms", "timeouts.stream_idle_ms", "timeouts.models_ms",
      "client.max_connections_per_endpoint", "client.max_wait_queue",
      "pools[].name$", "pools[].context", "pools[].endpoints*", "pools[].max_connections_per_endpoint",
      "pools[].max_wait_queue",
      "access_log.enabled", "access_log.queue", "logging.level$",
      "cluster.enabled", "cluster.name$", "cluster.port", "cluster.interface$", "cluster.members*",
      "cluster.kubernetes.service_dns$", "cluster.kubernetes.service_name$", "cluster.kubernetes.namespace$",
      "cluster.publish_period_ms", "cluster.entry_ttl_ms", "cluster.call_timeout_ms", "cluster.carry_half_life_s",
      "cluster.carry_max_age_s", "cluster.state_file$", "cluster.save_period_s",
      "reliability.spill_over", "reliability.drain_grace_ms",
      "reliability.server.max_initial_line_length", "reliability.server.max_header_size",
      "reliability.server.header_deadline_ms", "reliability.server.body_deadline_ms",
      "reliability.server.idle_timeout_s", "reliability.server.h2c",
      "reliability.health.consecutive_failures", "reliability.health.base_ejection_ms",
      "reliability.health.max_ejection_ms", "reliability.health.max_ejection_share",
      "reliability.health.probe_interval_ms", "reliability.health.probe_timeout_ms",
      "reliability.health.unhealthy_threshold", "reliability.health.healthy_threshold",
      "reliability.health.scrape_interval_ms", "reliability.health.load_stale_ms",
      "reliability.admission.max_in_flight_per_endpoint", "reliability.admission.max_waiters",
      "reliability.admission.max_wait_ms", "reliability.admission.retry_after_contended_s",
      "reliability.admission.retry_after_unavailable_s",
      "reliability.retry_budget.ratio", "reliability.retry_budget.min",
      "reliability.security.image_urls$");

  private static final List<Key> PATTERNS = KEYS.stream().map(Key::of).toList();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The tree with the overrides applied, which variables were applied (name → key path) and which were not. */
  public record Result(ObjectNode tree, Map<String, String> applied, List<String> ignored) {
  }

  private EnvOverrides() {
  }

  /** The environment variable name of a key path such as {@code pools[0].endpoints}. */
  public static String variableFor(String path) {
    return PREFIX + path.replace("[", ".").replace("]", "").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
  }

  /** Applies every {@code SLUICE_*} variable of {@code env} to a copy of {@code file} (null = empty file). */
  public static Result apply(JsonNode file, Map<String, String> env) {
    if (file != null && !file.isObject()) {
      throw new ConfigException("(top level) must be a mapping");
    }
    ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : ((ObjectNode) file).deepCopy();
    Map<String, String> applied = new TreeMap<>();
    List<String> ignored = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String rest = name.substring(PREFIX.length());
      Key key = PATTERNS.stream().filter(k -> k.pattern.matcher(rest).matches()).findFirst().orElse(null);
      if (key == null) {
        ignored.add(name);
        continue;
      }
      Matcher m = key.pattern.matcher(rest);
      m.matches();
      String path = key.set(tree, m, e.getValue(), name);
      applied.put(name, path);
    }
    return new Result(tree, applied, ignored);
  }

  /** One key path, as a pattern over the variable name and a way to set its value in the tree. */
  private record Key(String[] parts, Pattern pattern, boolean list, boolean text) {
    static Key of(String spec) {
      boolean list = spec.endsWith("*");
      boolean text = spec.endsWith("$");
      String path = list || text ? spec.substring(0, spec.length() - 1) : spec;
      String[] parts = path.split("\\.");
      StringBuilder regex = new StringBuilder();
      for (String p : parts) {
        if (!regex.isEmpty()) {
          regex.append('_');
        }
        boolean indexed = p.endsWith("[]");
        regex.append(Pattern.quote((indexed ? p.substring(0, p.length() - 2) : p).toUpperCase(java.util.Locale.ROOT)));
        if (indexed) {
          regex.append("_(\\d{1,4})");
        }
      }
      return new Key(parts, Pattern.compile(regex.toString()), list, text);
    }

    String set(ObjectNode root, Matcher m, String raw, String variable) {
      ObjectNode node = root;
      StringBuilder at = new StringBuilder();
      int group = 1;
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i];
        boolean indexed = p.endsWith("[]");
        String field = indexed ? p.substring(0, p.length() - 2) : p;
        at.append(at.isEmpty() ? "" : ".").append(field);
        if (i == parts.length - 1) {
          node.set(field, value(raw, variable));
          break;
        }
        JsonNode child = node.get(field);
        if (indexed) {
          int index = Integer.parseInt(m.group(group++));
          at.append('[').append(index).append(']');
          if (child == null || child.isNull()) {
            child = node.putArray(field);
          }
          if (!child.isArray()) {
            throw new ConfigException(variable + " sets " + at + " but " + field + " in the file is not a list");
          }
          ArrayNode array = (ArrayNode) child;
          while (array.size() <= index) {
            array.addObject();
          }
          child = array.get(index);
        } else if (child == null || child.isNull()) {
          child = node.putObject(field);
        }
        if (!child.isObject()) {
          throw new ConfigException(variable + " sets a key under " + at + ", which in the file is not a mapping");
        }
        node = (ObjectNode) child;
      }
      return at.toString();
    }

    private JsonNode value(String raw, String variable) {
      if (list) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String s : raw.split(",")) {
          if (!s.isBlank()) {
            a.add(s.trim());
          }
        }
        return a;
      }
      if (text) {
        return JsonNodeFactory.instance.textNode(raw);
      }
      try {
        JsonNode v = YAML.readTree(raw);
        return v == null || v.isMissingNode() ? JsonNodeFactory.instance.nullNode() : v;
      } catch (IOException e) {
        throw new ConfigException(variable + " is not a value: '" + raw + "'", e);
      }
    }
  }
}
