package dev.sluice.dispatcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextCounterTest {

  private static TextCounter counted(String text, int... cuts) {
    TextCounter counter = new TextCounter();
    counter.beginString();
    char[] chars = text.toCharArray();
    int from = 0;
    for (int cut : cuts) {
      counter.write(chars, from, cut - from);
      from = cut;
    }
    counter.write(chars, from, chars.length - from);
    return counter;
  }

  /** Indentation, line feeds and a surrogate pair placed around the counter's 31-char blocks. */
  private static String tricky() {
    return "  lead\n" + "x".repeat(240) + "\n\t  code();\n    }\n日本\uD83D\uDE00 \n\n   end \n ";
  }

  @Test
  void everySplitOfTheTextGivesTheSameCounts() {
    String text = tricky();
    TextCounter whole = counted(text);

    for (int cut = 1; cut < text.length(); cut++) {
      TextCounter split = counted(text, cut);
      assertThat(split.features()).as("cut at %d", cut).isEqualTo(whole.features());
      assertThat(split.textBytes()).as("cut at %d", cut).isEqualTo(whole.textBytes());
    }
  }

  @Test
  void countsMatchTheOracle() {
    String text = tricky();

    TextCounter counter = counted(text);

    assertThat(counter.features()).isEqualTo(Oracle.features(text));
    assertThat(counter.textBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
  }

  /** Every width of UTF-8 char, CJK and not, in random order and cut at random: the bytes and counts hold. */
  @Test
  void mixedScriptsMatchTheOracleAcrossCuts() {
    String[] pieces = {"word", " ", "  ", "\n", "\n    ", "42", "{\"k\": [1, 2]}", "x = f(a);", "é", "Жук", "€",
        "日本語", "한국어", "ｶﾀｶﾅ", "\uD83D\uDE00", "\uD840\uDC00", "\t", ".", "-->"};
    java.util.Random rnd = new java.util.Random(17);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < 5000) {
      sb.append(pieces[rnd.nextInt(pieces.length)]);
    }
    String text = sb.toString();
    for (int k = 0; k < 50; k++) {
      int a = rnd.nextInt(text.length());
      int b = a + rnd.nextInt(text.length() - a + 1);
      TextCounter counter = counted(text, a, b);
      assertThat(counter.features()).as("cuts %d %d", a, b).isEqualTo(Oracle.features(text));
      assertThat(counter.textBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void aLoneHighSurrogateCountsFourBytesAndALoneLowNone() {
    assertThat(counted("a\uD83D").textBytes()).isEqualTo(5);
    assertThat(counted("a\uDE00").textBytes()).isEqualTo(1);
    assertThat(counted("\uD840").features().cjkBytes()).isEqualTo(4);
  }

  @Test
  void runsAreCountedWithBothNeighbours() {
    // L P L S S P L P S D D P N S S L: what each run count sees in a short line of code
    TextFeatures f = TextFeatures.of("a.b  \"c\" 12,\n  d");

    assertThat(List.of(f.words(), f.numbers(), f.punctRuns(), f.lineBreaks(), f.spaceDigits(), f.attachedPunct(),
        f.spaceRuns(), f.strings())).containsExactly(4L, 1L, 4L, 0L, 1L, 1L, 2L, 1L);
  }

  @Test
  void eachStringIsARunOfItsOwn() {
    // "ab" then "cd": two words, not one; a string's edge is a line break, so one that starts with a
    // line break adds no run
    TextFeatures f = TextFeatures.of("ab", "cd", "\nx", "x\n");

    assertThat(List.of(f.words(), f.lineBreaks(), f.strings())).containsExactly(4L, 1L, 4L);
  }

  @Test
  void aStringStartsALine() {
    TextCounter counter = new TextCounter();
    char[] first = "a\n".toCharArray();
    char[] second = "  b".toCharArray();
    counter.beginString();
    counter.write(first, 0, first.length);
    counter.beginString();
    counter.write("x".toCharArray(), 0, 1);
    counter.beginString();
    counter.write(second, 0, second.length);

    assertThat(counter.features().leadingIndent()).isEqualTo(2);
  }
}
