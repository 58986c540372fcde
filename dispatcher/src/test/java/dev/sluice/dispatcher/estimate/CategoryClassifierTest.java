package dev.sluice.dispatcher.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.scan.TextFeatures;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The classifier against the real corpus, chunked exactly as chunk_tokens.tsv records it. */
class CategoryClassifierTest {

  private record Chunk(String set, String file, ContentCategory expected, TextFeatures features, long bytes) {
  }

  private static List<Chunk> chunks;

  @BeforeAll
  static void load() {
    chunks = Texts.corpusChunks().stream().map(c -> new Chunk(c.set(), c.file(),
        ContentCategory.ofCorpusFile(c.file()), Texts.features(c.text()), c.bytes())).toList();
  }

  private static Map<String, Double> accuracyByFile(String set) {
    Map<String, int[]> counts = new TreeMap<>();
    for (Chunk c : chunks) {
      if (c.set().equals(set)) {
        int[] n = counts.computeIfAbsent(c.file(), k -> new int[2]);
        n[1]++;
        if (CategoryClassifier.classify(c.features(), c.bytes()) == c.expected()) {
          n[0]++;
        }
      }
    }
    Map<String, Double> out = new TreeMap<>();
    counts.forEach((k, n) -> out.put(k, n[0] / (double) n[1]));
    return out;
  }

  @Test
  void classifies4KiBChunksOfEveryCorpusFile() {
    Map<String, Double> acc = accuracyByFile("4096");
    // the Python tutorial interleaves prose and code samples; its chunks may fairly land on either side
    acc.remove("en_doc_python_tutorial");
    assertThat(acc).hasSize(8).allSatisfy((file, a) -> assertThat(a).as(file).isGreaterThanOrEqualTo(0.85));
  }

  @Test
  void classifiesMostShortChunks() {
    long right = chunks.stream().filter(c -> c.set().equals("512"))
        .filter(c -> CategoryClassifier.classify(c.features(), c.bytes()) == c.expected()).count();
    long all = chunks.stream().filter(c -> c.set().equals("512")).count();
    assertThat(right / (double) all).isGreaterThanOrEqualTo(0.88);
  }

  @Test
  void unambiguousShortChunksAreAlwaysRight() {
    Map<String, Double> acc = accuracyByFile("512");
    assertThat(List.of(acc.get("en_narrative_pride_ch01-12"), acc.get("ja_pure_cjk_lines"),
        acc.get("json_min_iso3166-2"), acc.get("json_pretty_iso3166-2"))).allSatisfy(a -> assertThat(a).isEqualTo(1.0));
  }

  @Test
  void imagesAndToolsGetTheirOwnCategory() {
    TextFeatures prose = Texts.features("Tell me a story about a lighthouse keeper.");
    assertThat(CategoryClassifier.classify(Texts.facts("m", 42, prose, -1, true, false)))
        .isEqualTo(ContentCategory.MULTIMODAL);
    assertThat(CategoryClassifier.classify(Texts.facts("m", 42, prose, -1, false, true)))
        .isEqualTo(ContentCategory.MULTIMODAL);
  }

  @Test
  void emptyTextIsProse() {
    assertThat(CategoryClassifier.classify(TextFeatures.EMPTY, 0)).isEqualTo(ContentCategory.PROSE);
  }
}
