package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Binds a parsed tree to records, section by section, and checks records against the rules of the table.
 * Every failure is a {@link ConfigException} naming the full key: an unknown key, a value of the wrong type,
 * a broken rule.
 */
final class Binder {

  /** What a binding reads besides the tree: the environment for the variables keys name. */
  static final class Context {
    /** No environment; every rule checked. */
    static final Context PLAIN = new Context(name -> null, true);
    /** No environment, no rules: the defaults of a section whose rules want more than defaults. */
    static final Context DEFAULTS = new Context(name -> null, false);
    private final UnaryOperator<String> environment;
    private final boolean rules;
    private final Set<String> named = Collections.synchronizedSet(new TreeSet<>());

    Context(UnaryOperator<String> environment, boolean rules) {
      this.environment = environment;
      this.rules = rules;
    }

    String environment(String variable) {
      named.add(variable);
      return environment.apply(variable);
    }

    /** The variables the configuration named, e.g. the ones that hold upstream keys. */
    Set<String> named() {
      return named;
    }
  }

  private static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

  private Binder() {
  }

  /**
   * @param path     the section's path as a prefix: {@code ""}, {@code "cluster."}, {@code "pools[0]."}
   * @param fallback a mapping whose keys stand in for the ones {@code node} lacks, or null
   */
  static <R> R bind(Section<R> section, JsonNode node, String path, JsonNode fallback, Context context,
      boolean refuseUnknown) {
    JsonNode n = present(node) ? node : EMPTY;
    if (!n.isObject()) {
      throw new ConfigException(label(path) + " must be a mapping");
    }
    if (refuseUnknown) {
      refuseUnknown(n, names(section.members()), path);
    }
    Values values = new Values(context);
    for (Member<R, ?> m : section.members()) {
      read(m, n, path, fallback, context, values);
    }
    R record;
    try {
      record = section.build(values);
    } catch (Invalid e) {
      throw new ConfigException(e.member() == null ? Invalid.at(label(path), e.problem())
          : Invalid.at(path + e.member().name(), e.problem()), e);
    }
    if (context.rules) {
      checkRules(section, record, path);
    }
    return record;
  }

  private static <R> void read(Member<R, ?> m, JsonNode node, String path, JsonNode fallback, Context context,
      Values values) {
    if (m instanceof Key<R, ?> k) {
      readKey(k, node, path, fallback, values);
    } else if (m instanceof Sub<R, ?> s) {
      if (s.inline()) {
        values.put(s, bind(s.section(), node, path, fallback, context, false), false);
      } else {
        JsonNode child = node.get(s.name());
        boolean set = present(child);
        values.put(s, !set && s.isOptional() ? null
            : bind(s.section(), child, path + s.name() + ".", null, context, true), set);
      }
    } else if (m instanceof Group<?>) {
      Group<R> g = cast(m);
      JsonNode child = node.get(g.name());
      String at = path + g.name() + ".";
      if (present(child)) {
        if (!child.isObject()) {
          throw new ConfigException(path + g.name() + " must be a mapping");
        }
        refuseUnknown(child, names(g.members()), at);
      }
      for (Member<R, ?> inner : g.members()) {
        read(inner, present(child) ? child : EMPTY, at, null, context, values);
      }
    } else if (m instanceof ListOf<?, ?>) {
      readList(cast(m), node, path, context, values);
    } else if (m instanceof MapOf<?, ?>) {
      readMap(cast(m), node, path, context, values);
    } else {
      throw new IllegalStateException("unknown member " + m);
    }
  }

  private static <R, T> void readKey(Key<R, T> k, JsonNode node, String path, JsonNode fallback, Values values) {
    JsonNode v = node.get(k.name());
    if (!present(v) && fallback != null) {
      v = fallback.get(k.name());
    }
    String key = path + k.name();
    if (!present(v)) {
      if (k.isRequired()) {
        throw new ConfigException(key + " is required");
      }
      values.put(k, k.fallback(), false);
      return;
    }
    T value = read(k.type(), v, key);
    String problem = k.problem(value);
    if (problem != null) {
      throw new ConfigException(Invalid.at(key, problem));
    }
    values.put(k, value, true);
  }

  /** {@code node} read as {@code type}, or a failure naming {@code key}. */
  static <T> T read(Type<T> type, JsonNode node, String key) {
    T value;
    try {
      value = type.read(node);
    } catch (Invalid e) {
      throw new ConfigException(Invalid.at(key, e.problem()), e);
    }
    if (value == null) {
      throw new ConfigException(key + " must be " + type.what() + ", got " + node);
    }
    return value;
  }

  private static <R, S> void readList(ListOf<R, S> l, JsonNode node, String path, Context context, Values values) {
    JsonNode child = node.get(l.name());
    String at = path + l.name();
    List<S> items = new ArrayList<>();
    if (present(child)) {
      if (!child.isArray()) {
        throw new ConfigException(at + " must be a list");
      }
      JsonNode defaults = l.fallback() == null ? null : node.get(l.fallback().name());
      for (int i = 0; i < child.size(); i++) {
        items.add(bind(l.item(), child.get(i), at + "[" + i + "].", present(defaults) ? defaults : null, context,
            true));
      }
    }
    if (context.rules) {
      l.check(items, at);
    }
    values.put(l, List.copyOf(items), present(child));
  }

  private static <R, T> void readMap(MapOf<R, T> m, JsonNode node, String path, Context context, Values values) {
    JsonNode child = node.get(m.name());
    String at = path + m.name();
    Map<String, T> out = new LinkedHashMap<>();
    if (present(child)) {
      if (!child.isObject()) {
        throw new ConfigException(at + " must be a mapping");
      }
      for (Iterator<String> it = child.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        JsonNode v = child.get(name);
        out.put(name, m.type() != null ? read(m.type(), v, at + "." + name)
            : bind(m.section(), v, at + "." + name + ".", null, context, true));
      }
    }
    values.put(m, Collections.unmodifiableMap(out), present(child));
  }

  /** The values the members of a section read back from its record, as if all were set. */
  static <R> Values valuesOf(List<Member<R, ?>> members, R record) {
    Values values = new Values(Context.DEFAULTS);
    fill(members, record, values);
    return values;
  }

  private static <R> void fill(List<Member<R, ?>> members, R record, Values values) {
    for (Member<R, ?> m : members) {
      if (m instanceof Key<R, ?> k) {
        values.put(k, k.get(record), true);
      } else if (m instanceof Sub<R, ?> s) {
        values.put(s, s.get(record), true);
      } else if (m instanceof Group<?>) {
        Group<R> g = cast(m);
        fill(g.members(), record, values);
      } else if (m instanceof ListOf<?, ?>) {
        ListOf<R, ?> l = cast(m);
        values.put(l, l.get(record), true);
      } else if (m instanceof MapOf<?, ?>) {
        MapOf<R, ?> map = cast(m);
        values.put(map, map.get(record), true);
      }
    }
  }

  /** Every rule of {@code value}, the sections in it included, at {@code path}. */
  static <R> void check(Section<R> section, R value, String path) {
    checkMembers(section.members(), value, path);
    checkRules(section, value, path);
  }

  private static <R> void checkMembers(List<Member<R, ?>> members, R value, String path) {
    for (Member<R, ?> m : members) {
      if (m instanceof Key<R, ?> k) {
        checkKey(k, value, path);
      } else if (m instanceof Sub<R, ?> s) {
        checkSub(s, value, path);
      } else if (m instanceof Group<?>) {
        Group<R> g = cast(m);
        checkMembers(g.members(), value, path + g.name() + ".");
      } else if (m instanceof ListOf<?, ?>) {
        checkList(cast(m), value, path);
      } else if (m instanceof MapOf<?, ?>) {
        checkMap(cast(m), value, path);
      }
    }
  }

  private static <R, T> void checkKey(Key<R, T> k, R value, String path) {
    if (k.read() != null) {
      String problem = k.problem(k.get(value));
      if (problem != null) {
        throw new ConfigException(Invalid.at(path + k.name(), problem));
      }
    }
  }

  private static <R, S> void checkSub(Sub<R, S> s, R value, String path) {
    S inner = s.get(value);
    if (inner != null) {
      check(s.section(), inner, s.inline() ? path : path + s.name() + ".");
    }
  }

  private static <R, S> void checkList(ListOf<R, S> l, R value, String path) {
    List<S> items = l.get(value);
    if (items == null) {
      return;
    }
    String at = path + l.name();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == null) {
        throw new ConfigException(at + "[" + i + "] must not be empty");
      }
      check(l.item(), items.get(i), at + "[" + i + "].");
    }
    l.check(items, at);
  }

  private static <R, T> void checkMap(MapOf<R, T> m, R value, String path) {
    Map<String, T> entries = m.get(value);
    if (entries != null && m.section() != null) {
      entries.forEach((name, v) -> check(m.section(), v, path + m.name() + "." + name + "."));
    }
  }

  private static <R> void checkRules(Section<R> section, R value, String path) {
    for (Section.Rule<R> r : section.rules()) {
      String problem = r.problem().apply(value);
      if (problem != null) {
        String at = r.member() == null ? label(path) : path + r.member().name();
        throw new ConfigException(Invalid.at(at, problem));
      }
    }
  }

  /** The keys a mapping may hold: its members' names, an inlined section's included. */
  static <R> List<String> names(List<Member<R, ?>> members) {
    List<String> names = new ArrayList<>();
    for (Member<R, ?> m : members) {
      if (m instanceof Sub<R, ?> s && s.inline()) {
        names.addAll(names(s.section().members()));
      } else {
        names.add(m.name());
      }
    }
    return names;
  }

  private static void refuseUnknown(JsonNode node, List<String> known, String path) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw new ConfigException(path + k + " is not a known key (known: "
            + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  /** A member as the kind an {@code instanceof} found; its record type is the enclosing section's. */
  @SuppressWarnings("unchecked")
  private static <M> M cast(Member<?, ?> m) {
    return (M) m;
  }

  private static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  /** A section's path as a name: {@code cluster}, {@code pools[0]}, or {@code (top level)}. */
  private static String label(String path) {
    return path.isEmpty() ? "(top level)" : path.substring(0, path.length() - 1);
  }
}
