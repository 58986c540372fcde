package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding on a small table of its own: precedence, overlays, flags, rules and the reference. */
class BindingTest {

  record Limits(int max, int queue) {
    static final Key<Limits, Integer> MAX =
        Key.of("max", Type.INTEGER, Limits::max).byDefault(8).positive().doc("most");
    static final Key<Limits, Integer> QUEUE = Key.of("queue", Type.INTEGER, Limits::queue).byDefault(2).atLeast(0)
        .doc("waiting");
    static final Section<Limits> SECTION = Section.of("limits", v -> new Limits(v.get(MAX), v.get(QUEUE)), MAX, QUEUE);
  }

  record Item(String name, int size, Limits limits) {
    static final Key<Item, String> NAME = Key.of("name", Type.TEXT, Item::name).required().doc("its name");
    static final Key<Item, Integer> SIZE =
        Key.of("size", Type.INTEGER, Item::size).required().positive().doc("its size");
    static final Sub<Item, Limits> LIMITS = Sub.inline(Limits.SECTION, Item::limits);
    static final Section<Item> SECTION = Section.of(null, v -> new Item(v.get(NAME), v.get(SIZE), v.get(LIMITS)),
        NAME, SIZE, LIMITS);
  }

  record Root(String host, boolean on, Duration period, List<String> seeds, List<Item> items, Map<String, String> props,
      String secret) {
    static final Key<Root, String> HOST = Key.of("host", Type.TEXT, Root::host).byDefault("0.0.0.0").notBlank()
        .flag("--host", "ADDR").doc("address");
    static final Key<Root, Boolean> ON =
        Key.of("on", Type.BOOLEAN, Root::on).byDefault(false).flag("--on", null).doc("switch");
    static final Key<Root, Duration> PERIOD =
        Key.of("period_ms", Type.MILLIS, Root::period).byDefault(Duration.ofMillis(500))
        .positive().flag("--period-ms", "MS").doc("period");
    static final Key<Root, List<String>> SEEDS = Key.of("seeds", Type.TEXTS, Root::seeds).byDefault(List.of())
        .flag("--seeds", "A,B").doc("seeds");
    static final Sub<Root, Limits> LIMITS = Sub.of(Limits.SECTION, null);
    static final ListOf<Root, Item> ITEMS = ListOf.of("items", Item.SECTION, Root::items).defaultsFrom(LIMITS)
        .nonEmpty("must name an item").unique(Item.NAME, n -> "'" + n + "' is taken")
        .flag("--item", "NAME=SIZE", BindingTest::item, Item.NAME).doc("the items");
    static final MapOf<Root, String> PROPS = MapOf.of("props", Type.SCALAR_TEXT, Root::props).doc("raw");
    static final Key<Root, String> SECRET_ENV =
        Key.<Root, String>of("secret_env", Type.TEXT, null).doc("variable holding the secret");
    static final Section<Root> SECTION = Section.of(null, Root::of, HOST, ON, Group.of("timing", PERIOD), SEEDS,
            LIMITS, ITEMS, PROPS, SECRET_ENV)
        .doc("the root", "");

    static Root of(Values v) {
      String variable = v.get(SECRET_ENV);
      String secret = variable == null ? null : v.environment(variable);
      if (variable != null && secret == null) {
        throw SECRET_ENV.invalid("names '" + variable + "', which is not set");
      }
      return new Root(v.get(HOST), v.get(ON), v.get(PERIOD), v.get(SEEDS), v.get(ITEMS), v.get(PROPS), secret);
    }
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode item(String spec) {
    String[] p = spec.split("=");
    return JsonNodeFactory.instance.objectNode().put("name", p[0]).put("size", Integer.parseInt(p[1]));
  }

  private static final Binding<Root> BINDING = new Binding<>("test", Root.SECTION);

  @TempDir
  Path dir;

  private String[] file(String yaml, String... flags) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    String[] args = new String[flags.length + 2];
    args[0] = "--config";
    args[1] = f.toString();
    System.arraycopy(flags, 0, args, 2, flags.length);
    return args;
  }

  private static Root load(String[] args, Map<String, String> env) {
    return BINDING.load(args, env).config();
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
    String yaml = "host: file\ntiming: {period_ms: 100}\nitems: [{name: a, size: 1}]\n";
    assertThat(load(file(yaml), Map.of()).host()).isEqualTo("file");
    assertThat(load(file(yaml), Map.of("SLUICE_HOST", "env")).host()).isEqualTo("env");
    assertThat(load(file(yaml, "--host", "flag"), Map.of("SLUICE_HOST", "env")).host()).isEqualTo("flag");
    assertThat(load(new String[] {"--item", "a=1"}, Map.of()).host()).isEqualTo("0.0.0.0");
    assertThat(load(file(yaml), Map.of()).period()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void variablesCreateListItemsAndSplitLists() {
    Root r = load(new String[0], Map.of("SLUICE_ITEMS_1_NAME", "b", "SLUICE_ITEMS_1_SIZE", "3",
        "SLUICE_ITEMS_0_NAME", "a", "SLUICE_ITEMS_0_SIZE", "2", "SLUICE_SEEDS", "x, y,",
        "SLUICE_TIMING_PERIOD_MS", "7"));
    assertThat(r.items()).extracting(Item::name).containsExactly("a", "b");
    assertThat(r.seeds()).containsExactly("x", "y");
    assertThat(r.period()).isEqualTo(Duration.ofMillis(7));
  }

  @Test
  void aVariableNamingNoKeyIsReportedAndOneAKeyNamesIsNot() throws Exception {
    var loaded = BINDING.load(file("items: [{name: a, size: 1}]\nsecret_env: SLUICE_SECRET\n"),
        Map.of("SLUICE_HOTS", "x", "SLUICE_SECRET", "s", "OTHER", "y"));
    assertThat(loaded.unusedVariables()).containsExactly("SLUICE_HOTS");
    assertThat(loaded.config().secret()).isEqualTo("s");
  }

  @Test
  void aFlagReplacesTheItemOfTheSameNameAndItemsInheritTheirDefaults() throws Exception {
    Root r = load(file("limits: {max: 5}\nitems: [{name: a, size: 1, queue: 9}, {name: b, size: 2}]\n",
        "--item", "a=4", "--item", "c=5", "--on", "--seeds", "p,q"), Map.of());
    assertThat(r.items()).extracting(Item::name, Item::size, i -> i.limits().max(), i -> i.limits().queue())
        .containsExactly(tuple("a", 4, 5, 2), tuple("b", 2, 5, 2), tuple("c", 5, 5, 2));
    assertThat(r.on()).isTrue();
    assertThat(r.seeds()).containsExactly("p", "q");
  }

  @Test
  void aListKeysFlagMayBeRepeatedAndReplacesTheFilesList() throws Exception {
    Root r = load(file("seeds: [f]\nitems: [{name: a, size: 1}]\n", "--seeds", "p", "--seeds", "q,r"), Map.of());
    assertThat(r.seeds()).containsExactly("p", "q", "r");
  }

  @Test
  void everyFailureNamesItsKeyFlagOrPath() throws Exception {
    String ok = "items: [{name: a, size: 1}]\n";
    assertThatThrownBy(() -> load(file(ok + "hots: x\n"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("hots is not a known key (known: host, items,");
    assertThatThrownBy(() -> load(file(ok + "timing: {period: 1}\n"), Map.of()))
        .hasMessageStartingWith("timing.period is not a known key");
    assertThatThrownBy(() -> load(file("items: [{name: a, size: 0}]\n"), Map.of()))
        .hasMessage("items[0].size must be > 0");
    assertThatThrownBy(() -> load(file("items: [{name: a, size: 1}, {name: a, size: 2}]\n"), Map.of()))
        .hasMessage("items[1].name 'a' is taken");
    assertThatThrownBy(() -> load(file("items: [{size: 1}]\n"), Map.of())).hasMessage("items[0].name is required");
    assertThatThrownBy(() -> load(file("items: []\n"), Map.of())).hasMessage("items must name an item");
    assertThatThrownBy(() -> load(file(ok + "timing: {period_ms: soon}\n"), Map.of()))
        .hasMessage("timing.period_ms must be an integer (milliseconds), got \"soon\"");
    assertThatThrownBy(() -> load(file(ok + "limits: {queue: -1}\n"), Map.of()))
        .hasMessage("limits.queue must be >= 0");
    assertThatThrownBy(() -> load(file(ok + "secret_env: NOPE\n"), Map.of()))
        .hasMessage("secret_env names 'NOPE', which is not set");
    assertThatThrownBy(() -> load(file(ok, "--period-ms", "soon"), Map.of()))
        .hasMessage("--period-ms must be an integer (milliseconds), got \"soon\"");
    assertThatThrownBy(() -> load(file(ok + "limits: 3\n"), Map.of())).hasMessage("limits must be a mapping");
    assertThatThrownBy(() -> load(file("- a\n"), Map.of())).hasMessage("(top level) must be a mapping");
  }

  @Test
  void anUnknownFlagIsRefusedWithTheUsage() {
    assertThatThrownBy(() -> load(new String[] {"--hots", "x"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--hots").hasMessageContaining("Usage: test");
    assertThat(BINDING.usage()).contains("--period-ms=MS", "period (default 500)", "--item=NAME=SIZE", "--help");
    assertThat(BINDING.helpRequested(new String[] {"--help"})).isTrue();
  }

  @Test
  void aValueMayStartWithAnAtSign() {
    assertThat(load(new String[] {"--item", "a=1", "--host", "@home"}, Map.of()).host()).isEqualTo("@home");
  }

  @Test
  void aFlagTakesItsValueAfterAnEqualsSignAndTheLastOneWins() {
    assertThat(load(new String[] {"--item=a=1", "--host=h1", "--host", "h2"}, Map.of()).host()).isEqualTo("h2");
  }

  @Test
  void aRecordBuiltInCodeIsCheckedByTheSameRules() {
    Root r = new Root("", false, Duration.ofMillis(1), List.of(), List.of(new Item("a", 1, new Limits(1, 0))),
        Map.of(), null);
    assertThatThrownBy(() -> Root.SECTION.check(r)).hasMessage("host must not be empty");
    Root noItems = new Root("h", false, Duration.ofMillis(1), List.of(), List.of(), Map.of(), null);
    assertThatThrownBy(() -> Root.SECTION.check(noItems)).hasMessage("items must name an item");
    assertThat(Limits.SECTION.defaults()).isEqualTo(new Limits(8, 2));
  }

  @Test
  void aWitherBuildsTheCopyThroughTheFactory() {
    Root r = load(new String[] {"--item", "a=1", "--host", "h", "--period-ms", "9"}, Map.of());
    Root changed = Root.SECTION.with(r, Root.HOST, "other");
    assertThat(changed).isEqualTo(new Root("other", r.on(), Duration.ofMillis(9), r.seeds(), r.items(), r.props(), null));
  }

  @Test
  void theReferenceListsEveryKeyWithItsDefaultAndVariable() {
    String keys = Reference.keys(Root.SECTION);
    assertThat(keys).contains("## Keys: the root",
        "| `host` | `0.0.0.0` | `SLUICE_HOST` | address |",
        "| `timing.period_ms` | `500` | `SLUICE_TIMING_PERIOD_MS` | period |",
        "| `items[i].max` | `limits.max` | `SLUICE_ITEMS_<i>_MAX` | most |",
        "| `props` | none | – | raw |");
    assertThat(Reference.flags(BINDING)).contains("| `--item NAME=SIZE` | `items` | the items |",
        "| `--on` | `on` | switch |");
  }
}
