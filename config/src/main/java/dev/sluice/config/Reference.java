package dev.sluice.config;

import java.util.List;

/**
 * The configuration reference in markdown, written from the table: the flags, then one table of keys per
 * top-level section with its default, its variable and its meaning. docs/configuration.md holds this text
 * between markers, and a test fails when it differs.
 */
public final class Reference {
  private Reference() {
  }

  /** The flags table. */
  public static String flags(Binding<?> binding) {
    StringBuilder out = new StringBuilder("| flag | key | meaning |\n|---|---|---|\n");
    for (String[] row : binding.flagRows()) {
      out.append("| `").append(row[0]).append("` | ").append(row[1] == null ? "–" : "`" + row[1] + "`")
          .append(" | ").append(cell(row[2])).append(" |\n");
    }
    return out.toString();
  }

  /**
   * A heading, an introduction and a table of keys for each top-level section that has a title; the other
   * top-level members go under the root's own title.
   */
  public static String keys(Section<?> root) {
    StringBuilder out = new StringBuilder();
    boolean rootTableOpen = false;
    for (Member<?, ?> m : root.members()) {
      Section<?> titled = m instanceof Sub<?, ?> s && s.section().title() != null ? s.section() : null;
      if (titled != null) {
        heading(titled, out);
        rootTableOpen = false;
      } else if (!rootTableOpen) {
        heading(root, out);
        rootTableOpen = true;
      }
      rows(List.of(m), "", null, false, out);
    }
    return out.toString();
  }

  private static void heading(Section<?> section, StringBuilder out) {
    out.append(out.isEmpty() ? "" : "\n").append("## Keys: ").append(section.title()).append("\n\n");
    if (!section.doc().isEmpty()) {
      out.append(section.doc()).append("\n\n");
    }
    out.append("| key | default | variable | meaning |\n|---|---|---|---|\n");
  }

  /** Keys a list item does not set fall back to the same keys of another section, at {@code path}. */
  private record Inherit(Section<?> section, String path) {
  }

  private static void rows(List<? extends Member<?, ?>> members, String prefix, Inherit inherit, boolean inMap,
      StringBuilder out) {
    for (Member<?, ?> m : members) {
      if (m instanceof Key<?, ?> k) {
        String path = prefix + k.name();
        String variable = Environment.variable(path.replace("[i]", "[<i>]")).replace("<I>", "<i>");
        out.append("| `").append(path).append("` | ").append(fallback(k, inherit)).append(" | ")
            .append(inMap ? "–" : "`" + variable + "`").append(" | ").append(cell(k.doc())).append(" |\n");
      } else if (m instanceof Sub<?, ?> s) {
        rows(s.section().members(), s.inline() ? prefix : prefix + s.name() + ".", inherit, inMap, out);
      } else if (m instanceof Group<?> g) {
        rows(g.members(), prefix + g.name() + ".", null, inMap, out);
      } else if (m instanceof ListOf<?, ?> l) {
        out.append("| `").append(prefix).append(l.name()).append("` | ").append(l.required() ? "required" : "none")
            .append(" | – | ").append(cell(l.doc())).append(" |\n");
        Inherit from = l.fallback() == null ? null
            : new Inherit(l.fallback().section(), prefix + l.fallback().name() + ".");
        rows(l.item().members(), prefix + l.name() + "[i].", from, inMap, out);
      } else if (m instanceof MapOf<?, ?> map) {
        out.append("| `").append(prefix).append(map.name()).append("` | none | – | ").append(cell(map.doc()))
            .append(" |\n");
        if (map.section() != null) {
          rows(map.section().members(), prefix + map.name() + ".<" + map.entryName() + ">.", null, true, out);
        }
      }
    }
  }

  private static String fallback(Key<?, ?> k, Inherit inherit) {
    if (inherit != null && Binder.names(members(inherit.section())).contains(k.name())) {
      return "`" + inherit.path() + k.name() + "`";
    }
    if (k.isRequired()) {
      return "required";
    }
    if (k.fallback() == null) {
      return "none";
    }
    String shown = show(k);
    return shown.isEmpty() ? "none" : "`" + shown + "`";
  }

  @SuppressWarnings("unchecked")
  private static <R> List<Member<R, ?>> members(Section<?> s) {
    return ((Section<R>) s).members();
  }

  private static <T> String show(Key<?, T> key) {
    return key.type().show(key.fallback());
  }

  private static String cell(String doc) {
    return doc.replace("|", "\\|").replace("\n", " ");
  }
}
