package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptCounterTest {

  private static String corpus(String file, int chars) throws Exception {
    String shared = System.getProperty("sluice.shared", "../../shared");
    String text = Files.readString(Path.of(shared, "data", "corpus", file), StandardCharsets.UTF_8);
    return text.substring(0, Math.min(chars, text.length()));
  }

  /** The ids the prefix cache hashes are as many as the tokens the mock reports, in every mode. */
  @Test
  void theIdsAreAsManyAsTheCountedTokens() throws Exception {
    List<String> texts = List.of(corpus("en_doc_python_tutorial.rst", 700), "Bonjour, ça va? 日本語 ✓",
        corpus("code_java_commons_lang3.java", 900));
    List<String> roles = List.of("system", "user", "user");
    int[] ends = {1, 2, 3};
    for (PromptCounter.Mode mode : PromptCounter.Mode.values()) {
      PromptCounter counter = new PromptCounter(mode);
      assertThat(counter.chatPromptIds(texts, roles, ends)).as(mode.name())
          .hasSize(counter.chatPromptTokens(texts, roles.size()));
      assertThat(counter.completionPromptIds(texts, new int[] {5, 6})).as(mode.name())
          .hasSize(counter.completionPromptTokens(texts) + 2);
    }
  }

  /** The answer's text, sent back as the next turn's message, tokenizes to the cycle the mock generated. */
  @Test
  void theFillerAnswerTokenizesBackToTheGeneratedIds() {
    for (PromptCounter.Mode mode : List.of(PromptCounter.Mode.CL100K, PromptCounter.Mode.O200K)) {
      PromptCounter counter = new PromptCounter(mode);
      int[] cycle = counter.outputCycle(Wire.WORDS);
      int tokens = 3 * Wire.WORDS.length + 5;
      int[] ids = counter.completionPromptIds(List.of(Wire.fillerText(tokens)), new int[0]);
      int[] expected = new int[tokens + 1];
      expected[0] = ids[0];   // BOS
      for (int i = 0; i < tokens; i++) {
        expected[i + 1] = cycle[i % cycle.length];
      }
      assertThat(ids).as(mode.name()).containsExactly(expected);
    }
  }
}
