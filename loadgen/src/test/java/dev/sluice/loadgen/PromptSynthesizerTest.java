package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromptSynthesizerTest {

  @ParameterizedTest
  @CsvSource({"prose,300", "prose,1469", "prose,7437", "code,300", "code,2048", "code,7437", "json,300",
      "json,4083", "json,14050", "cjk,300", "cjk,1020", "cjk,7437", "mixed,300", "mixed,4096", "mixed,8192"})
  void chunkTokenSumIsWithinTwoPercentOfTheTarget(String category, int target) throws Exception {
    PromptSynthesizer synth = new PromptSynthesizer(Corpus.load(TestData.corpus(), Corpus.Tokenizer.LLAMA3));
    SplittableRandom random = new SplittableRandom(target);
    for (int i = 0; i < 20; i++) {
      PromptSynthesizer.Prompt p = synth.synthesize(category, target, random);
      assertThat(Math.abs(p.tokens() - target)).isLessThanOrEqualTo((int) (target * PromptSynthesizer.TOLERANCE));
    }
  }

  /** The tsv counts are per chunk; a real tokenizer over the concatenated text must agree within the tolerance. */
  @ParameterizedTest
  @CsvSource({"prose,1000", "code,1000", "json,1000", "cjk,1000", "mixed,1000", "prose,6000", "cjk,6000"})
  void concatenatedTextTokenizesWithinTwoPercentOfTheTarget(String category, int target) throws Exception {
    PromptSynthesizer synth = new PromptSynthesizer(Corpus.load(TestData.corpus(), Corpus.Tokenizer.CL100K));
    Encoding cl100k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    PromptSynthesizer.Prompt p = synth.synthesize(category, target, new SplittableRandom(11));
    int actual = cl100k.countTokensOrdinary(new String(p.utf8(), StandardCharsets.UTF_8));
    assertThat(Math.abs(actual - target)).isLessThanOrEqualTo((int) (target * PromptSynthesizer.TOLERANCE));
  }

  @ParameterizedTest
  @CsvSource({"prose", "cjk"})
  void differentSeedsGiveDifferentPrompts(String category) throws Exception {
    PromptSynthesizer synth = new PromptSynthesizer(Corpus.load(TestData.corpus(), Corpus.Tokenizer.LLAMA3));
    PromptSynthesizer.Prompt a = synth.synthesize(category, 2000, new SplittableRandom(1));
    PromptSynthesizer.Prompt b = synth.synthesize(category, 2000, new SplittableRandom(2));
    assertThat(a.utf8()).isNotEqualTo(b.utf8());
  }
}
