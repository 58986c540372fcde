package dev.sluice.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Reference;
import dev.sluice.dispatcher.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md holds the flags and keys tables written from the key table: a key missing, extra,
 * renamed, or with another default or meaning fails here. After changing a key, rewrite the tables with
 * {@code mvn -pl dispatcher -am verify -Dtest=ConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsluice.writeReference=true}.
 */
class ConfigReferenceTest {
  private static final Path DOC = Path.of("").toAbsolutePath().resolveSibling("docs").resolve("configuration.md");

  @Test
  void theReferenceIsWrittenFromTheTable() throws IOException {
    String text = Files.readString(DOC);
    String expected = region(region(text, "flags", Reference.flags(NodeConfig.BINDING)), "keys",
        Reference.keys(NodeConfig.TABLE));
    if (Boolean.getBoolean("sluice.writeReference")) {
      Files.writeString(DOC, expected);
      text = expected;
    }
    assertThat(text).as("docs/configuration.md against the key table (see this test's comment to rewrite it)")
        .isEqualTo(expected);
  }

  /** {@code text} with what stands between the markers of {@code name} replaced by {@code content}. */
  private static String region(String text, String name, String content) {
    String begin = "<!-- " + name + ": written from the key table by ConfigReferenceTest, do not edit -->\n";
    String end = "<!-- end of " + name + " -->";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    assertThat(from).as("marker %s", begin.strip()).isNotNegative();
    assertThat(to).as("marker %s", end).isGreaterThan(from);
    return text.substring(0, from + begin.length()) + "\n" + content + "\n" + text.substring(to);
  }
}
