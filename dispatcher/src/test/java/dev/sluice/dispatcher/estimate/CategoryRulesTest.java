package dev.sluice.dispatcher.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CategoryRulesTest {

  private final CategoryRules rules = new CategoryRules(List.of(
      new CategoryRules.Rule("qwen2.5-coder*", "code"),
      new CategoryRules.Rule("extractor", "json")));

  @Test
  void headerWinsOverRules() {
    assertThat(rules.resolve("CJK ", "qwen2.5-coder-7b")).isEqualTo("cjk");
  }

  @Test
  void unknownHeaderFallsBackToRules() {
    assertThat(rules.resolve("klingon", "qwen2.5-coder-7b")).isEqualTo("code");
  }

  @Test
  void exactAndPrefixRulesMatch() {
    assertThat(rules.resolve(null, "extractor")).isEqualTo("json");
    assertThat(rules.resolve(null, "extractor-v2")).isNull();
    assertThat(rules.resolve(null, "qwen2.5-coder")).isEqualTo("code");
  }

  @Test
  void noRuleMeansClassify() {
    assertThat(CategoryRules.NONE.resolve(null, "llama")).isNull();
  }

  @Test
  void badRuleFailsWithItsName() {
    assertThatThrownBy(() -> new CategoryRules.Rule("m", "poetry")).hasMessageContaining("poetry");
  }
}
