package dev.sluice.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassTableTest {

  /** Counts held in a map; absent classes count 0. */
  record Counts(Map<ByteClass, Long> values) implements ClassCounts {
    @Override
    public long count(ByteClass c) {
      return values.getOrDefault(c, 0L);
    }
  }

  /** Weights the synthetic "tokenizer" uses: far from the priors on purpose. */
  private static final Map<ByteClass, Double> TRUE = new EnumMap<>(Map.ofEntries(
      Map.entry(ByteClass.STRINGS, 4.0), Map.entry(ByteClass.DIGITS, 0.45), Map.entry(ByteClass.PUNCT, 0.2), Map.entry(ByteClass.WORDS, 1.3),
      Map.entry(ByteClass.NUMBERS, 0.5), Map.entry(ByteClass.PUNCT_RUNS, 0.8), Map.entry(ByteClass.LINE_BREAKS, 1.4),
      Map.entry(ByteClass.SPACE_DIGITS, 0.9), Map.entry(ByteClass.ATTACHED_PUNCT, -0.8),
      Map.entry(ByteClass.SPACE_RUNS, 1.2), Map.entry(ByteClass.TWO_BYTE, 0.6), Map.entry(ByteClass.CJK_BYTES, 0.22),
      Map.entry(ByteClass.THREE_BYTE, 1.1), Map.entry(ByteClass.FOUR_BYTE, 2.0)));
  private static final double TRUE_INTERCEPT = 14;

  /**
   * A prompt of one to four messages holding each present class with probability 0.8, in an independent
   * count from one to a thousand (to ten in a third of the prompts: short prompts pin the intercept down);
   * attached punctuation is a random part of the punctuation runs, as in text (which keeps every count
   * positive).
   */
  private static Counts randomText(Random rnd, List<ByteClass> present) {
    Map<ByteClass, Long> m = new EnumMap<>(ByteClass.class);
    double max = rnd.nextInt(3) == 0 ? 10 : 1000;
    for (ByteClass c : present) {
      if (rnd.nextDouble() < 0.8) {
        m.put(c, Math.round(Math.exp(rnd.nextDouble() * Math.log(max))));
      }
    }
    if (m.containsKey(ByteClass.ATTACHED_PUNCT)) {
      m.put(ByteClass.ATTACHED_PUNCT, Math.round(m.getOrDefault(ByteClass.PUNCT_RUNS, 0L) * rnd.nextDouble()));
    }
    m.put(ByteClass.STRINGS, 1L + rnd.nextInt(4));
    return new Counts(m);
  }

  /** Bytes of such a prompt: three per token, a plausible ratio whatever the mix. */
  private static long bytes(Counts c) {
    return 3L * trueTokens(c);
  }

  private static int trueTokens(Counts c) {
    double t = TRUE_INTERCEPT;
    for (Map.Entry<ByteClass, Long> e : c.values().entrySet()) {
      t += TRUE.get(e.getKey()) * e.getValue();
    }
    return (int) Math.round(t);
  }

  /** A table that learned {@code n} random prompts of these classes. */
  private static ClassTable learned(long seed, List<ByteClass> present, int n) {
    ClassTable table = new ClassTable(ClassParams.defaults());
    Random rnd = new Random(seed);
    for (int k = 0; k < n; k++) {
      Counts c = randomText(rnd, present);
      table.observe("m", c, bytes(c), trueTokens(c));
    }
    return table;
  }

  private static double mape(ClassTable table, String model, Random rnd, List<ByteClass> present, int n) {
    double sum = 0;
    for (int k = 0; k < n; k++) {
      Counts c = randomText(rnd, present);
      int actual = trueTokens(c);
      sum += Math.abs(table.view(model).tokens(c, bytes(c)) - actual) / actual;
    }
    return sum / n;
  }

  @Test
  void learnsKnownWeightsFromSyntheticSamples() {
    ClassTable table = new ClassTable(ClassParams.defaults());
    Random rnd = new Random(3);
    List<ByteClass> all = List.of(ByteClass.values());
    for (int k = 0; k < 3000; k++) {
      Counts c = randomText(rnd, all);
      assertThat(table.observe("m", c, bytes(c), trueTokens(c))).isEqualTo(KeyMoments.Verdict.ACCEPTED);
    }
    ClassView v = table.view("m");
    for (ByteClass c : ByteClass.values()) {
      double learned = v.weight(c);
      assertThat(learned).as(c.id()).isCloseTo(TRUE.get(c), within(0.05));
      assertThat(Math.abs(learned - TRUE.get(c))).as(c.id() + " nearer the truth than the prior")
          .isLessThan(Math.abs(learned - c.priorWeight()));
    }
    // the intercept is a few tokens of prompts hundreds long, learned from the short third of them
    assertThat(v.interceptTokens()).isCloseTo(TRUE_INTERCEPT, within(4.0));
    // rounding to whole tokens is the only noise, a few percent of the shortest prompts
    assertThat(mape(table, "m", new Random(4), all, 500)).isLessThan(0.03);
    assertThat(v.calibrated()).isTrue();
    // rounding the true count to an integer is the only noise: the spread says so
    assertThat(v.spread()).isLessThan(0.03);
  }

  @Test
  void anUnknownModelReadsThePriorAndCreatesNothing() {
    ClassTable table = new ClassTable(ClassParams.defaults());
    ClassView v = table.view("never-seen");
    assertThat(v).isSameAs(table.priorView());
    assertThat(v.calibrated()).isFalse();
    assertThat(v.weight(ByteClass.WORDS)).isEqualTo(ByteClass.WORDS.priorWeight());
    // one user turn: the intercept plus one string's template tokens
    assertThat(v.tokens(new Counts(Map.of(ByteClass.STRINGS, 1L)), 0))
        .isCloseTo(CalibrationParams.DEFAULT_INTERCEPT_TOKENS, within(1e-9));
    assertThat(table.entries()).isEmpty();
  }

  @Test
  void aClassNoSampleShowedKeepsItsPrior() {
    ClassTable table = learned(5, List.of(ByteClass.WORDS, ByteClass.PUNCT_RUNS, ByteClass.PUNCT, ByteClass.DIGITS),
        500);
    ClassView v = table.view("m");
    assertThat(v.weight(ByteClass.WORDS)).isCloseTo(TRUE.get(ByteClass.WORDS), within(0.1));
    assertThat(v.weight(ByteClass.CJK_BYTES)).isCloseTo(ByteClass.CJK_BYTES.priorWeight(), within(1e-9));
    assertThat(v.weight(ByteClass.FOUR_BYTE)).isCloseTo(ByteClass.FOUR_BYTE.priorWeight(), within(1e-9));
  }

  @Test
  void aWrongCountIsRejectedOnceCalibrated() {
    List<ByteClass> all = List.of(ByteClass.values());
    ClassTable table = learned(6, all, 200);
    Counts c = new Counts(Map.of(ByteClass.STRINGS, 1L, ByteClass.WORDS, 500L, ByteClass.PUNCT_RUNS, 200L));
    assertThat(table.observe("m", c, bytes(c), (int) (trueTokens(c) * 2.8))).isEqualTo(KeyMoments.Verdict.OUTLIER);
    assertThat(table.observe("m", c, bytes(c), 0)).isEqualTo(KeyMoments.Verdict.OUT_OF_BOUNDS);
    assertThat(table.rejectedSamples()).isEqualTo(2);
  }

  @Test
  void twoNodesThatSawDifferentContentMergeIntoAFitThatKnowsBoth() {
    List<ByteClass> latin = List.of(ByteClass.WORDS, ByteClass.PUNCT_RUNS, ByteClass.PUNCT, ByteClass.SPACE_RUNS);
    List<ByteClass> cjk = List.of(ByteClass.CJK_BYTES, ByteClass.PUNCT_RUNS, ByteClass.LINE_BREAKS);
    ClassTable a = learned(7, latin, 400);
    ClassTable b = learned(70, cjk, 400);
    ClassTable c = new ClassTable(ClassParams.defaults());
    c.adoptClusterState(Map.of("m", ClassStats.merge(List.of(a.localState().get("m"), b.localState().get("m")))));

    assertThat(c.view("m").samples()).isEqualTo(800);
    assertThat(mape(c, "m", new Random(8), latin, 300)).isLessThan(0.03);
    assertThat(mape(c, "m", new Random(9), cjk, 300)).isLessThan(0.03);
    // each node alone only knows its own content
    assertThat(mape(a, "m", new Random(9), cjk, 300)).isGreaterThan(0.1);
  }

  @Test
  void restoredStateGivesTheSameView() {
    List<ByteClass> all = List.of(ByteClass.values());
    ClassTable table = learned(10, all, 300);
    ClassTable restored = new ClassTable(ClassParams.defaults());
    restored.restore(table.localState());

    Counts probe = randomText(new Random(11), all);
    assertThat(restored.view("m").tokens(probe, bytes(probe)))
        .isCloseTo(table.view("m").tokens(probe, bytes(probe)), within(1e-9));
    assertThat(restored.view("m").spread()).isCloseTo(table.view("m").spread(), within(1e-12));
    assertThat(restored.localState()).isEqualTo(table.localState());
  }

  @Test
  void theBandWidensWithTheSpreadAndGamma() {
    ClassView prior = new ClassTable(ClassParams.defaults()).priorView();
    double t = 1000;
    assertThat(prior.upper(t)).isCloseTo(t * (1 + ClassParams.DEFAULT_PRIOR_SPREAD), within(1e-9));
    assertThat(prior.lower(t)).isCloseTo(t * (1 - ClassParams.DEFAULT_PRIOR_SPREAD), within(1e-9));
  }
}
