package dev.sluice.calibration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Rows of the shared corpus's chunk_tokens.tsv, located by the {@code sluice.shared} property. */
record CorpusRows(String chunkSet, String category, long bytes, int tokensLlama3) {

  static Path shared() {
    String p = System.getProperty("sluice.shared");
    return p != null ? Path.of(p) : Path.of("..", "shared");
  }

  static List<CorpusRows> load() {
    Path tsv = shared().resolve("data/corpus/chunk_tokens.tsv");
    try {
      List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
      List<String> header = Arrays.asList(lines.get(0).split("\t"));
      int set = header.indexOf("chunk_set");
      int cat = header.indexOf("category");
      int len = header.indexOf("byte_length");
      int tok = header.indexOf("tokens_llama3");
      List<CorpusRows> out = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split("\t");
        out.add(new CorpusRows(f[set], f[cat], Long.parseLong(f[len]), Integer.parseInt(f[tok])));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
