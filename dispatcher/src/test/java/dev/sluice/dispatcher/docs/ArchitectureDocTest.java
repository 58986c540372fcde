package dev.sluice.dispatcher.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md describes the code as built: every class (and {@code Class.method}) and every route it
 * names in backticks must exist, so the page cannot drift from the code unnoticed.
 */
class ArchitectureDocTest {
  private static final Pattern TICKED = Pattern.compile("`([^`]+)`");
  private static final Pattern CLASS_OR_MEMBER = Pattern.compile("([A-Z][A-Za-z0-9]+)(?:\\.([a-z][A-Za-z0-9]*))?");
  private static final Pattern ROUTE = Pattern.compile("/(v1|metrics|health|admin)[a-z0-9/_*]*");

  private static Path repo;
  private static String doc;
  /** Simple class name → its source, over every module's main code. */
  private static Map<String, String> sources;

  @BeforeAll
  static void read() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    repo = Files.exists(here.resolve("docs")) ? here : here.getParent();
    doc = Files.readString(repo.resolve("docs/architecture.md"));
    try (Stream<Path> files = Stream.of("testkit", "config", "cluster", "dispatcher", "loadgen")
        .map(m -> repo.resolve(m).resolve("src/main/java")).flatMap(ArchitectureDocTest::javaFiles)) {
      sources = files.collect(Collectors.toMap(p -> p.getFileName().toString().replace(".java", ""),
          ArchitectureDocTest::text, (a, b) -> a + b));
    }
  }

  private static Stream<Path> javaFiles(Path root) {
    try {
      return Files.walk(root).filter(p -> p.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> ticked(Function<String, Matcher> matcher) {
    List<String> found = new ArrayList<>();
    Matcher m = TICKED.matcher(doc);
    while (m.find()) {
      Matcher inner = matcher.apply(m.group(1));
      if (inner.matches()) {
        found.add(m.group(1));
      }
    }
    return found;
  }

  @Test
  void everyClassAndMethodItNamesExists() {
    List<String> names = ticked(CLASS_OR_MEMBER::matcher);
    assertThat(names).as("the page names classes").hasSizeGreaterThan(30);
    TreeSet<String> missing = new TreeSet<>();
    for (String name : names) {
      Matcher m = CLASS_OR_MEMBER.matcher(name);
      m.matches();
      String source = sources.get(m.group(1));
      if (source == null || (m.group(2) != null && !source.contains(" " + m.group(2) + "("))) {
        missing.add(name);
      }
    }
    assertThat(missing).as("named in docs/architecture.md but not in the code").isEmpty();
  }

  @Test
  void everyRouteItNamesIsServed() {
    // the routed APIs' paths are rows of Api, which the front looks paths up in
    String routing = sources.get("FrontVerticle") + sources.get("ManagementRoutes") + sources.get("Api");
    List<String> routes = ticked(ROUTE::matcher);
    assertThat(routes).as("the page names routes").isNotEmpty();
    TreeSet<String> missing = new TreeSet<>();
    for (String route : routes) {
      String literal = route.endsWith("*") ? "\"" + route.substring(0, route.length() - 1) : "\"" + route + "\"";
      if (!routing.contains(literal)) {
        missing.add(route);
      }
    }
    assertThat(missing).as("routes in docs/architecture.md that nothing serves").isEmpty();
  }
}
