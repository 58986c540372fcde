package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lays {@code SLUICE_<PATH>} environment variables over the parsed file, before anything binds it, so that
 * every section sees the same precedence: flag &gt; environment &gt; file &gt; default.
 *
 * <p>A variable's name is its key's path in upper case with {@code _} between the parts and a list index as
 * its own part: {@code port} is {@code SLUICE_PORT}, {@code timeouts.first_byte_ms} is
 * {@code SLUICE_TIMEOUTS_FIRST_BYTE_MS}, {@code pools[0].endpoints} is {@code SLUICE_POOLS_0_ENDPOINTS}. The
 * value is read by the key's {@link Type.Form}: as it is, as a YAML scalar, or comma-separated.
 */
final class Environment {
  static final String PREFIX = "SLUICE_";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Variables that set a key (name → key path) and the ones with the prefix that name none. */
  record Result(Map<String, String> applied, List<String> ignored) {
  }

  private record Entry(String[] parts, Pattern pattern, Type.Form form) {
  }

  private final List<Entry> entries;

  Environment(Section<?> root) {
    entries = KeyPath.of(root).stream().map(k -> entry(k.path(), k.key().type().form())).toList();
  }

  /** The variable of a key path: {@code pools[0].endpoints} → {@code SLUICE_POOLS_0_ENDPOINTS}. */
  static String variable(String path) {
    return PREFIX + path.replace("[", ".").replace("]", "").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** Applies every {@code SLUICE_*} variable of {@code env} to {@code tree}. */
  Result apply(ObjectNode tree, Map<String, String> env) {
    Map<String, String> applied = new TreeMap<>();
    List<String> ignored = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String rest = name.substring(PREFIX.length());
      boolean found = false;
      for (Entry entry : entries) {
        Matcher m = entry.pattern().matcher(rest);
        if (m.matches()) {
          List<Integer> indices = new ArrayList<>();
          for (int g = 1; g <= m.groupCount(); g++) {
            indices.add(Integer.parseInt(m.group(g)));
          }
          applied.put(name, set(tree, entry.parts(), indices, value(entry.form(), e.getValue(), name), name));
          found = true;
          break;
        }
      }
      if (!found) {
        ignored.add(name);
      }
    }
    return new Result(applied, ignored);
  }

  /** The text of a variable or a flag as a value of the tree. */
  static JsonNode value(Type.Form form, String raw, String source) {
    switch (form) {
      case LIST -> {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String s : raw.split(",")) {
          if (!s.isBlank()) {
            a.add(s.trim());
          }
        }
        return a;
      }
      case TEXT -> {
        return JsonNodeFactory.instance.textNode(raw);
      }
      default -> {
        try {
          JsonNode v = YAML.readTree(raw);
          return v == null || v.isMissingNode() ? JsonNodeFactory.instance.nullNode() : v;
        } catch (IOException e) {
          throw new ConfigException(source + " is not a value: '" + raw + "'", e);
        }
      }
    }
  }

  private static Entry entry(String path, Type.Form form) {
    String[] parts = path.split("\\.");
    StringBuilder regex = new StringBuilder();
    for (String p : parts) {
      if (!regex.isEmpty()) {
        regex.append('_');
      }
      boolean indexed = p.endsWith("[]");
      regex.append(Pattern.quote((indexed ? p.substring(0, p.length() - 2) : p).toUpperCase(Locale.ROOT)));
      if (indexed) {
        regex.append("_(\\d{1,4})");
      }
    }
    return new Entry(parts, Pattern.compile(regex.toString()), form);
  }

  /**
   * Sets {@code value} at a key path ({@code pools[].name} split at the dots, with the list indices in
   * order), creating mappings and list items on the way; returns the path with its indices.
   */
  static String set(ObjectNode root, String[] parts, List<Integer> indices, JsonNode value, String variable) {
    ObjectNode node = root;
    StringBuilder at = new StringBuilder();
    int index = 0;
    for (int part = 0; part < parts.length; part++) {
      String p = parts[part];
      boolean indexed = p.endsWith("[]");
      String field = indexed ? p.substring(0, p.length() - 2) : p;
      at.append(at.isEmpty() ? "" : ".").append(field);
      if (part == parts.length - 1) {
        node.set(field, value);
        break;
      }
      JsonNode child = node.get(field);
      if (indexed) {
        int i = indices.get(index++);
        at.append('[').append(i).append(']');
        if (child == null || child.isNull()) {
          child = node.putArray(field);
        }
        if (!child.isArray()) {
          throw new ConfigException(variable + " sets " + at + " but " + field + " in the file is not a list");
        }
        ArrayNode array = (ArrayNode) child;
        while (array.size() <= i) {
          array.addObject();
        }
        child = array.get(i);
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
}
