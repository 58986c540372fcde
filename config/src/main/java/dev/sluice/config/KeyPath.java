package dev.sluice.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A key and where it stands from the top: {@code timeouts.connect_ms}, or {@code pools[].name} for a key of
 * every item of a list. Mappings of free names ({@link MapOf}) have no such path and are left out.
 */
record KeyPath(String path, Key<?, ?> key) {

  /** Every key of {@code root}, in the order of the table. */
  static List<KeyPath> of(Section<?> root) {
    List<KeyPath> out = new ArrayList<>();
    walk(root.members(), "", out);
    return out;
  }

  /** Whether the path crosses a list ({@code pools[].name}). */
  boolean inList() {
    return path.contains("[]");
  }

  private static void walk(List<? extends Member<?, ?>> members, String prefix, List<KeyPath> out) {
    for (Member<?, ?> m : members) {
      if (m instanceof Key<?, ?> k) {
        out.add(new KeyPath(prefix + k.name(), k));
      } else if (m instanceof Sub<?, ?> s) {
        walk(s.section().members(), s.inline() ? prefix : prefix + s.name() + ".", out);
      } else if (m instanceof Group<?> g) {
        walk(g.members(), prefix + g.name() + ".", out);
      } else if (m instanceof ListOf<?, ?> l) {
        walk(l.item().members(), prefix + l.name() + "[].", out);
      }
    }
  }
}
