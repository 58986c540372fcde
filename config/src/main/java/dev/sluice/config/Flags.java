package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line of a command whose options are the table's flags, parsed by picocli: one option per key
 * that names a flag, one repeatable option per list that does, plus {@code --config FILE} and
 * {@code --help}. A flag's value is read like the key's variable and laid over the tree last.
 */
final class Flags {
  static final String CONFIG = "--config";
  private static final String CONFIG_DOC = "the YAML file to read (docs/configuration.md), wherever the flag stands";
  private static final String HELP_DOC = "print the usage and exit";

  /** A key or list with a flag, and where it stands. */
  private record Flagged(String path, Key<?, ?> key, ListOf<?, ?> list) {
    String flag() {
      return key != null ? key.flag() : list.flag();
    }
  }

  /** A parsed command line: the file, whether help was asked for, and the values to lay over the tree. */
  record Parsed(Path config, boolean help, List<Flagged> flagged, ParseResult result) {
  }

  private final String command;
  private final List<Flagged> flagged = new ArrayList<>();

  Flags(String command, Section<?> root) {
    this.command = command;
    collect(root.members(), "", flagged);
  }

  /** A fresh picocli model of the command (a model holds the values of one parse). */
  CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name(command);
    spec.usageMessage().sortOptions(false).width(110);
    spec.addOption(OptionSpec.builder(CONFIG).paramLabel("FILE").type(String.class)
        .description(CONFIG_DOC).build());
    for (Flagged f : flagged) {
      OptionSpec.Builder o = OptionSpec.builder(f.flag()).description(plain(description(f)));
      if (f.list() != null || repeatable(f.key())) {
        o.paramLabel(f.list() != null ? f.list().flagLabel() : f.key().flagLabel()).type(List.class)
            .auxiliaryTypes(String.class).arity("1");
      } else if (f.key().type() == Type.BOOLEAN) {
        o.type(boolean.class).arity("0");
      } else {
        o.paramLabel(f.key().flagLabel()).type(String.class).arity("1");
      }
      spec.addOption(o.build());
    }
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description(HELP_DOC).build());
    return spec;
  }

  Parsed parse(String[] args) {
    CommandLine cl = new CommandLine(spec());
    cl.setOverwrittenOptionsAllowed(true);
    cl.setExpandAtFiles(false); // a value may start with '@'; no flag ever names an argument file
    ParseResult r;
    try {
      r = cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(e.getMessage() + "\n" + usage());
    }
    String file = r.matchedOptionValue(CONFIG, null);
    return new Parsed(file == null ? null : Path.of(file), r.isUsageHelpRequested(), flagged, r);
  }

  /** Lays the parsed flags over {@code tree}, each value checked against its key's type. */
  static void apply(Parsed parsed, ObjectNode tree) {
    for (Flagged f : parsed.flagged()) {
      if (!parsed.result().hasMatchedOption(f.flag())) {
        continue;
      }
      if (f.list() != null) {
        List<String> values = parsed.result().matchedOptionValue(f.flag(), List.of());
        for (String v : values) {
          addItem(tree, f, f.list().flagParser().parse(v));
        }
        continue;
      }
      JsonNode value;
      if (f.key().type() == Type.BOOLEAN) {
        value = BooleanNode.TRUE;
      } else {
        // a list key's flag may be repeated; each occurrence adds to the list, as commas do
        String raw = repeatable(f.key())
            ? String.join(",", parsed.result().<List<String>>matchedOptionValue(f.flag(), List.of()))
            : parsed.result().matchedOptionValue(f.flag(), "");
        value = Environment.value(f.key().type().form(), raw, f.flag());
        Binder.read(f.key().type(), value, f.flag());
      }
      Environment.set(tree, f.path().split("\\."), List.of(), value, f.flag());
    }
  }

  String usage() {
    return new CommandLine(spec()).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** The flags with the key each sets and its help line, for the reference. */
  List<String[]> rows() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {CONFIG + " FILE", null, CONFIG_DOC});
    for (Flagged f : flagged) {
      String label = f.key() != null && f.key().type() == Type.BOOLEAN ? ""
          : " " + (f.key() != null ? f.key().flagLabel() : f.list().flagLabel());
      rows.add(new String[] {f.flag() + label, f.path(), f.key() != null ? f.key().doc() : f.list().doc()});
    }
    rows.add(new String[] {"--help", null, HELP_DOC});
    return rows;
  }

  /** Replaces the item whose merge key equals the new one's, else appends it. */
  private static void addItem(ObjectNode tree, Flagged f, ObjectNode item) {
    String[] parts = f.path().split("\\.");
    ObjectNode parent = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = parent.get(parts[i]);
      parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
    }
    String field = parts[parts.length - 1];
    JsonNode existing = parent.get(field);
    ArrayNode list = existing instanceof ArrayNode a ? a : parent.putArray(field);
    String merge = f.list().flagMergeKey().name();
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).path(merge).equals(item.path(merge))) {
        list.set(i, item);
        return;
      }
    }
    list.add(item);
  }

  private static void collect(List<? extends Member<?, ?>> members, String prefix, List<Flagged> out) {
    for (Member<?, ?> m : members) {
      if (m instanceof Key<?, ?> k && k.flag() != null) {
        out.add(new Flagged(prefix + k.name(), k, null));
      } else if (m instanceof Sub<?, ?> s) {
        collect(s.section().members(), s.inline() ? prefix : prefix + s.name() + ".", out);
      } else if (m instanceof Group<?> g) {
        collect(g.members(), prefix + g.name() + ".", out);
      } else if (m instanceof ListOf<?, ?> l && l.flag() != null) {
        out.add(new Flagged(prefix + l.name(), null, l));
      }
    }
  }

  /** A key whose value is a list takes its flag any number of times. */
  private static boolean repeatable(Key<?, ?> key) {
    return key.type().form() == Type.Form.LIST;
  }

  private static String description(Flagged f) {
    if (f.list() != null) {
      return f.list().doc() + " (repeatable)";
    }
    if (repeatable(f.key())) {
      return f.key().doc() + " (repeatable)";
    }
    String shown = f.key().fallback() == null || f.key().type() == Type.BOOLEAN ? "" : show(f.key());
    return shown.isEmpty() ? f.key().doc() : f.key().doc() + " (default " + shown + ")";
  }

  @SuppressWarnings("unchecked")
  private static <T> String show(Key<?, T> key) {
    return key.type().show(key.fallback());
  }

  /** Help text without the reference's markdown. */
  private static String plain(String markdown) {
    return markdown.replace("`", "");
  }
}
