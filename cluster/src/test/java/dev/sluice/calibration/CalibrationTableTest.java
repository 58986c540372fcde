package dev.sluice.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CalibrationTableTest {

  private static final int TEMPLATE = 10;
  private static final List<CorpusRows> ROWS = CorpusRows.load();

  private static Map<String, List<CorpusRows>> byCategory(String chunkSet) {
    return ROWS.stream().filter(r -> r.chunkSet().equals(chunkSet))
        .collect(Collectors.groupingBy(CorpusRows::category, TreeMap::new, Collectors.toList()));
  }

  /** Replays shuffled chunks of one corpus file, predicting before observing; returns MAPE of the last half. */
  private static double replayMape(CalibrationTable table, String model, ContentCategory c, List<CorpusRows> rows,
      int n, long seed) {
    Random rnd = new Random(seed);
    double err = 0;
    int counted = 0;
    for (int k = 0; k < n; k++) {
      CorpusRows r = rows.get(rnd.nextInt(rows.size()));
      int actual = r.tokensLlama3() + TEMPLATE;
      int predicted = table.view(model, c).promptTokens(r.bytes());
      if (k >= n / 2) {
        err += Math.abs(predicted - actual) / (double) actual;
        counted++;
      }
      table.observe(model, c, r.bytes(), actual);
    }
    return err / counted;
  }

  /**
   * The error of the best constant ratio for these chunks (known in hindsight): the floor any
   * per-category ratio can reach, since chunks of one file differ among themselves.
   */
  private static double oracleMape(List<CorpusRows> rows) {
    double ratio = ratioOf(rows);
    return rows.stream().mapToDouble(r -> {
      int actual = r.tokensLlama3() + TEMPLATE;
      return Math.abs(Math.ceil(TEMPLATE + r.bytes() / ratio) - actual) / actual;
    }).average().orElseThrow();
  }

  @Test
  void convergesFromThePriorOnEveryCorpusCategoryOf4KiBChunks() {
    Map<String, Double> excess = new TreeMap<>();
    byCategory("4096").forEach((cat, rows) -> {
      CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
      double mape = replayMape(table, "m", ContentCategory.ofCorpusFile(cat), rows, 400, 7);
      excess.put(cat, mape - oracleMape(rows) * 1.2);
    });
    assertThat(excess).hasSize(9).allSatisfy((cat, e) -> assertThat(e).as(cat).isLessThan(0.005));
  }

  @Test
  void convergesOnShortChunksToo() {
    Map<String, Double> excess = new TreeMap<>();
    byCategory("512").forEach((cat, rows) -> {
      CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
      double mape = replayMape(table, "m", ContentCategory.ofCorpusFile(cat), rows, 600, 9);
      excess.put(cat, mape - oracleMape(rows) * 1.2);
    });
    assertThat(excess).hasSize(9).allSatisfy((cat, e) -> assertThat(e).as(cat).isLessThan(0.005));
  }

  @Test
  void learnedRatioMatchesTheCategoryAggregate() {
    byCategory("4096").forEach((cat, rows) -> {
      CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
      replayMape(table, "m", ContentCategory.ofCorpusFile(cat), rows, 400, 11);
      double trueRatio = rows.stream().mapToLong(CorpusRows::bytes).sum()
          / (double) rows.stream().mapToLong(CorpusRows::tokensLlama3).sum();
      assertThat(table.view("m", ContentCategory.ofCorpusFile(cat)).bytesPerToken()).as(cat)
          .isCloseTo(trueRatio, org.assertj.core.data.Percentage.withPercentage(4));
    });
  }

  @Test
  void interceptIsLearnedFromShortRealPrompts() {
    List<CorpusRows> prompts = byCategory("natural").values().iterator().next();
    List<CorpusRows> prose = new ArrayList<>();
    byCategory("512").forEach((cat, rows) -> {
      if (cat.startsWith("en_")) {
        prose.addAll(rows);
      }
    });
    CalibrationTable table = new CalibrationTable(CalibrationParams.withPriors(
        Map.of(ContentCategory.PROSE, new CategoryPrior(3.9, 0, 0.4)), 0.99, 1.0, 10));
    Random rnd = new Random(3);
    for (int k = 0; k < 600; k++) {
      CorpusRows r = rnd.nextBoolean() ? prompts.get(rnd.nextInt(prompts.size())) : prose.get(rnd.nextInt(prose.size()));
      table.observe("m", ContentCategory.PROSE, r.bytes(), r.tokensLlama3() + TEMPLATE);
    }
    assertThat(table.view("m", ContentCategory.PROSE).interceptTokens()).isBetween(6.0, 14.0);
  }

  @Test
  void interceptMakesShortPromptsAccurate() {
    List<CorpusRows> prompts = byCategory("natural").values().iterator().next();
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    double mape = replayMape(table, "m", ContentCategory.PROSE, prompts, 400, 5);
    double plain = 0;
    double ratio = prompts.stream().mapToLong(CorpusRows::bytes).sum()
        / (double) prompts.stream().mapToLong(r -> r.tokensLlama3() + TEMPLATE).sum();
    for (CorpusRows r : prompts) {
      int actual = r.tokensLlama3() + TEMPLATE;
      plain += Math.abs(Math.ceil(r.bytes() / ratio) - actual) / actual;
    }
    plain /= prompts.size();
    assertThat(mape).isLessThan(plain * 0.8);
  }

  @Test
  void followsAChangeOfContentMix() {
    Map<String, List<CorpusRows>> cats = byCategory("4096");
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    replayMape(table, "m", ContentCategory.PROSE, cats.get("en_narrative_pride_ch01-12"), 300, 1);
    double mape = replayMape(table, "m", ContentCategory.PROSE, cats.get("en_doc_python_tutorial"), 400, 2);
    double reStRatio = ratioOf(cats.get("en_doc_python_tutorial"));
    assertThat(table.view("m", ContentCategory.PROSE).bytesPerToken())
        .isCloseTo(reStRatio, org.assertj.core.data.Percentage.withPercentage(4));
    assertThat(mape).isLessThan(oracleMape(cats.get("en_doc_python_tutorial")) * 1.2);
  }

  private static double ratioOf(List<CorpusRows> rows) {
    return rows.stream().mapToLong(CorpusRows::bytes).sum()
        / (double) rows.stream().mapToLong(CorpusRows::tokensLlama3).sum();
  }

  @Test
  void priorIsUsedUntilMinSamples() {
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    for (int k = 0; k < CalibrationParams.DEFAULT_MIN_SAMPLES - 1; k++) {
      table.observe("m", ContentCategory.JSON, 4000, 2000);
    }
    KeyView before = table.view("m", ContentCategory.JSON);
    table.observe("m", ContentCategory.JSON, 4000, 2000);
    KeyView after = table.view("m", ContentCategory.JSON);
    assertThat(before.calibrated()).isFalse();
    assertThat(before.bytesPerToken()).isEqualTo(CalibrationParams.defaultPriors().get(ContentCategory.JSON).bytesPerToken());
    assertThat(after.calibrated()).isTrue();
    assertThat(after.promptTokens(4000)).isBetween(1990, 2010);
  }

  @Test
  void conservativeRatioIsMeanMinusGammaSpread() {
    CalibrationTable table = new CalibrationTable(CalibrationParams.withPriors(Map.of(), 0.99, 2.0, 10));
    byCategory("512").get("en_narrative_pride_ch01-12").forEach(
        r -> table.observe("m", ContentCategory.PROSE, r.bytes(), r.tokensLlama3() + TEMPLATE));
    KeyView v = table.view("m", ContentCategory.PROSE);
    KeyStats st = table.localState().get(new CalibrationKey("m", "prose"));
    assertThat(st.spread()).isGreaterThan(0.05);
    assertThat(v.conservativeBytesPerToken()).isCloseTo(v.bytesPerToken() - 2.0 * st.spread(),
        org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void rejectsSamplesOutsideTheBounds() {
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    assertThat(table.observe("m", ContentCategory.PROSE, 4000, 100)).isEqualTo(KeyMoments.Verdict.OUT_OF_BOUNDS);
    assertThat(table.observe("m", ContentCategory.PROSE, 4000, 5000)).isEqualTo(KeyMoments.Verdict.OUT_OF_BOUNDS);
    assertThat(table.view("m", ContentCategory.PROSE).samples()).isZero();
  }

  @Test
  void rejectsAWildOutlierOnceCalibrated() {
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    for (int k = 0; k < 50; k++) {
      table.observe("m", ContentCategory.PROSE, 4000, 1010);
    }
    assertThat(table.observe("m", ContentCategory.PROSE, 4000, 3500)).isEqualTo(KeyMoments.Verdict.OUTLIER);
  }

  @Test
  void capsTheNumberOfTrackedModels() {
    CalibrationParams d = CalibrationParams.defaults();
    CalibrationParams p = new CalibrationParams(d.decay(), d.gamma(), d.minSamples(), d.minBytesPerToken(),
        d.maxBytesPerToken(), d.maxInterceptTokens(), d.interceptPriorWeight(), d.sizeOffsetBytes(),
        d.spreadHalfBytes(), d.maxRelativeError(), 2, d.priors());
    CalibrationTable table = new CalibrationTable(p);
    table.observe("a", ContentCategory.PROSE, 400, 110);
    table.observe("b", ContentCategory.PROSE, 400, 110);
    assertThat(table.observe("c", ContentCategory.PROSE, 400, 110)).isEqualTo(KeyMoments.Verdict.NOT_TRACKED);
  }

  @Test
  void keysAreIndependentPerModelAndCategory() {
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    for (int k = 0; k < 20; k++) {
      table.observe("a", ContentCategory.JSON, 3000, 1010);
    }
    assertThat(table.view("a", ContentCategory.PROSE).samples()).isZero();
    assertThat(table.view("b", ContentCategory.JSON).samples()).isZero();
    assertThat(table.view("a", ContentCategory.JSON).samples()).isEqualTo(20);
  }

  @Test
  void localStateRoundTripsThroughRestore() {
    CalibrationTable a = new CalibrationTable(CalibrationParams.defaults());
    List<CorpusRows> rows = new ArrayList<>(byCategory("512").get("json_pretty_iso3166-2"));
    rows.addAll(byCategory("natural").values().iterator().next());
    Collections.shuffle(rows, new Random(2));
    rows.forEach(r -> a.observe("m", ContentCategory.JSON, r.bytes(), r.tokensLlama3() + TEMPLATE));
    CalibrationTable b = new CalibrationTable(CalibrationParams.defaults());
    b.restore(a.localState());
    KeyView va = a.view("m", ContentCategory.JSON);
    KeyView vb = b.view("m", ContentCategory.JSON);
    assertThat(vb.promptTokens(4096)).isCloseTo(va.promptTokens(4096), org.assertj.core.data.Offset.offset(8));
    assertThat(vb.promptTokens(100)).isCloseTo(va.promptTokens(100), org.assertj.core.data.Offset.offset(3));
    assertThat(vb.samples()).isEqualTo(va.samples());
  }

  @Test
  void clusterStateIsCombinedWithLocalByWeight() {
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    table.adoptClusterState(Map.of(new CalibrationKey("m", "code"), new KeyStats(500, 100, 5.0, 10, 0.2)));
    assertThat(table.view("m", ContentCategory.CODE).bytesPerToken()).isEqualTo(5.0);
    for (int k = 0; k < 300; k++) {
      table.observe("m", ContentCategory.CODE, 4000, 1010);
    }
    double r = table.view("m", ContentCategory.CODE).bytesPerToken();
    assertThat(r).isStrictlyBetween(4.05, 4.95);
    table.adoptClusterState(Map.of());
    assertThat(table.view("m", ContentCategory.CODE).bytesPerToken()).isCloseTo(4.0,
        org.assertj.core.data.Percentage.withPercentage(0.5));
  }

  @Test
  void concurrentObserversLoseNoSample() throws InterruptedException {
    CalibrationTable table = new CalibrationTable(CalibrationParams.defaults());
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int k = 0; k < 5000; k++) {
          table.observe("m", ContentCategory.PROSE, 4000, 1010);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(table.view("m", ContentCategory.PROSE).samples()).isEqualTo(20000);
  }
}
