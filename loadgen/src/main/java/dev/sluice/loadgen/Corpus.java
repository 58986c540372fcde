package dev.sluice.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shared text corpus as chunks with true token counts ({@code chunk_tokens.tsv}), grouped into the prompt
 * categories the load generator offers. File contents are kept as bytes so prompts are cut without decoding.
 */
public final class Corpus {

  /** Token counts in {@code chunk_tokens.tsv} exist for these tokenizers; the name is the column suffix. */
  public enum Tokenizer {
    LLAMA3("tokens_llama3"), CL100K("tokens_cl100k"), O200K("tokens_o200k");

    private final String column;

    Tokenizer(String column) {
      this.column = column;
    }

    public static Tokenizer parse(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  /** A byte range of one corpus file and its true token count. */
  public record Chunk(String source, byte[] file, int offset, int length, int tokens) {
  }

  /** Chunks of one prompt category: the 4 KiB set per source (for bulk) and the 512 B set (for the exact tail). */
  public record Category(String name, List<List<Chunk>> bulkBySource, List<Chunk> fine) {
  }

  /** Prompt categories and the corpus categories ({@code category} column) each one draws from. */
  public static final Map<String, List<String>> CATEGORIES;

  static {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("prose", List.of("en_narrative_pride_ch01-12", "en_doc_python_tutorial", "en_tech_debref_ch01"));
    m.put("code", List.of("code_java_commons_lang3"));
    m.put("json", List.of("json_pretty_iso3166-2", "json_min_iso3166-2"));
    m.put("cjk", List.of("ja_pure_cjk_lines", "ja_tech_debref_ch01"));
    m.put("mixed", List.of("mixed_po_apt_ja"));
    CATEGORIES = java.util.Collections.unmodifiableMap(m);
  }

  private static final String BULK_SET = "4096";
  private static final String FINE_SET = "512";

  private final Map<String, Category> categories;

  private Corpus(Map<String, Category> categories) {
    this.categories = categories;
  }

  /** The corpus folder: {@code sluice.shared}/data/corpus, else ../shared/data/corpus from the working directory. */
  public static Path defaultDir() {
    String shared = System.getProperty("sluice.shared");
    if (shared == null) {
      String home = System.getProperty("sluice.home");
      shared = (home == null ? ".." : home + "/..") + "/shared";
    }
    return Path.of(shared, "data", "corpus");
  }

  public static Corpus load(Path dir, Tokenizer tokenizer) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("chunk_tokens.tsv"), StandardCharsets.UTF_8);
    String[] header = lines.get(0).split("\t");
    int set = column(header, "chunk_set");
    int category = column(header, "category");
    int source = column(header, "source");
    int offset = column(header, "byte_offset");
    int length = column(header, "byte_length");
    int tokens = column(header, tokenizer.column);

    Map<String, byte[]> files = new HashMap<>();
    Map<String, Map<String, List<Chunk>>> bulk = new HashMap<>();
    Map<String, List<Chunk>> fine = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split("\t");
      String chunkSet = cells[set];
      if (!chunkSet.equals(BULK_SET) && !chunkSet.equals(FINE_SET)) {
        continue;
      }
      String src = cells[source];
      byte[] file = files.get(src);
      if (file == null) {
        file = Files.readAllBytes(dir.resolve(src));
        files.put(src, file);
      }
      Chunk chunk = new Chunk(src, file, Integer.parseInt(cells[offset]), Integer.parseInt(cells[length]),
          Integer.parseInt(cells[tokens]));
      if (chunkSet.equals(BULK_SET)) {
        bulk.computeIfAbsent(cells[category], k -> new LinkedHashMap<>()).computeIfAbsent(src, k -> new ArrayList<>())
            .add(chunk);
      } else {
        fine.computeIfAbsent(cells[category], k -> new ArrayList<>()).add(chunk);
      }
    }

    Map<String, List<String>> wanted = new LinkedHashMap<>(CATEGORIES);
    for (String corpusCategory : fine.keySet()) {
      wanted.putIfAbsent(corpusCategory, List.of(corpusCategory));
    }
    Map<String, Category> result = new LinkedHashMap<>();
    wanted.forEach((name, members) -> {
      List<List<Chunk>> bulkBySource = new ArrayList<>();
      List<Chunk> fineChunks = new ArrayList<>();
      for (String member : members) {
        bulk.getOrDefault(member, Map.of()).values().forEach(bulkBySource::add);
        fineChunks.addAll(fine.getOrDefault(member, List.of()));
      }
      if (!fineChunks.isEmpty() && !bulkBySource.isEmpty()) {
        result.put(name, new Category(name, List.copyOf(bulkBySource), List.copyOf(fineChunks)));
      }
    });
    return new Corpus(result);
  }

  public Category category(String name) {
    Category c = categories.get(name);
    if (c == null) {
      throw new IllegalArgumentException("unknown prompt category '" + name + "' (known: " + categories.keySet() + ")");
    }
    return c;
  }

  public java.util.Set<String> categoryNames() {
    return categories.keySet();
  }

  private static int column(String[] header, String name) {
    for (int i = 0; i < header.length; i++) {
      if (header[i].equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("chunk_tokens.tsv has no column " + name);
  }
}
