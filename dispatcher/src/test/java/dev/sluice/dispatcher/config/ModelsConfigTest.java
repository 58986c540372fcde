package dev.sluice.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code models:} section: bound from the file, and refused by key when it names what does not exist. */
class ModelsConfigTest {
  private static final String POOLS = """
      pools:
        - {name: short, context: 8192, endpoints: [http://127.0.0.1:9001]}
        - {name: long, context: 65536, endpoints: [http://127.0.0.1:9003]}
        - {name: qwen-short, context: 4096, endpoints: [http://127.0.0.1:9005]}
      """;

  @TempDir
  Path dir;

  private NodeConfig load(String yaml) throws IOException {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, POOLS + yaml);
    return NodeConfig.load(new String[] {"--config", f.toString()}, Map.of());
  }

  @Test
  void modelsBindWithTheirAliasesAndLadders() throws IOException {
    DispatcherConfig c = load("""
        models:
          - name: llama-3-70b
            aliases: [llama]
            pools: [long, short]
          - name: qwen-7b
            pools: [qwen-short]
        """).dispatcher();
    assertThat(c.models()).containsExactly(
        new ModelConfig("llama-3-70b", List.of("llama"), List.of("long", "short")),
        new ModelConfig("qwen-7b", List.of(), List.of("qwen-short")));
    assertThat(c.models().get(0).names()).containsExactly("llama-3-70b", "llama");
  }

  @Test
  void noModelsSectionMeansNone() throws IOException {
    assertThat(load("").dispatcher().models()).isEmpty();
  }

  @Test
  void aLadderNamingAnUnknownPoolIsRefusedByKey() throws IOException {
    assertThatThrownBy(() -> load("models: [{name: a, pools: [short, lng]}]\n"))
        .isInstanceOf(ConfigException.class).hasMessage("models[0].pools 'lng' is not a pool in 'pools:'");
  }

  @Test
  void aNameUsedTwiceIsRefused() throws IOException {
    assertThatThrownBy(() -> load("""
        models:
          - {name: a, aliases: [fast], pools: [short]}
          - {name: b, aliases: [fast], pools: [long]}
        """)).isInstanceOf(ConfigException.class)
        .hasMessage("models[1] 'fast' already names another model or alias");
  }

  @Test
  void aModelNeedsAPoolAndAName() throws IOException {
    assertThatThrownBy(() -> load("models: [{name: a, pools: []}]\n"))
        .isInstanceOf(ConfigException.class).hasMessage("models[0].pools must name at least one pool");
    assertThatThrownBy(() -> load("models: [{pools: [short]}]\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("models[0].name");
  }
}
