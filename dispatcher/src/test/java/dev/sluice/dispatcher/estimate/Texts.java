package dev.sluice.dispatcher.estimate;

import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.TextFeatures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test helpers: the scanner's byte features computed from a string, and request facts around them. */
final class Texts {
  private Texts() {
  }

  static Path shared() {
    String p = System.getProperty("sluice.shared");
    return p != null ? Path.of(p) : Path.of("..", "shared");
  }

  /** A chunk of a corpus file as chunk_tokens.tsv records it: its set (4096 or 512), file label and text. */
  record CorpusChunk(String set, String file, String text, long bytes) {
  }

  /** The 4 KiB and 512 B chunks of every corpus file (the MT-Bench prompts left out). */
  static List<CorpusChunk> corpusChunks() {
    Path corpus = shared().resolve("data/corpus");
    try {
      List<String> lines = Files.readAllLines(corpus.resolve("chunk_tokens.tsv"));
      List<String> h = Arrays.asList(lines.get(0).split("\t"));
      Map<String, byte[]> files = new HashMap<>();
      List<CorpusChunk> out = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split("\t");
        String set = f[h.indexOf("chunk_set")];
        if (set.equals("natural")) {
          continue;
        }
        byte[] all = files.computeIfAbsent(f[h.indexOf("source")], s -> read(corpus.resolve(s)));
        int off = Integer.parseInt(f[h.indexOf("byte_offset")]);
        int len = Integer.parseInt(f[h.indexOf("byte_length")]);
        out.add(new CorpusChunk(set, f[h.indexOf("category")], new String(all, off, len, StandardCharsets.UTF_8),
            len));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scanner's counts of one prompt string. */
  static TextFeatures features(String text) {
    return TextFeatures.of(text);
  }

  static RequestFacts facts(String model, String text) {
    long bytes = text.getBytes(StandardCharsets.UTF_8).length;
    return facts(model, bytes, features(text), -1, false, false);
  }

  /**
   * Facts for a text of about {@code textBytes} bytes made of {@code sample} repeated (each copy a line of
   * its own), counted by the scanner.
   */
  static RequestFacts facts(String model, long textBytes, String sample, int maxTokens, boolean images,
      boolean tools) {
    long sampleBytes = sample.getBytes(StandardCharsets.UTF_8).length + 1;
    String text = (sample + "\n").repeat((int) Math.max(1, textBytes / sampleBytes));
    return facts(model, text.getBytes(StandardCharsets.UTF_8).length, features(text), maxTokens, images, tools);
  }

  static RequestFacts facts(String model, long textBytes, TextFeatures f, int maxTokens, boolean images,
      boolean tools) {
    return new RequestFacts(Api.CHAT, model, false, false, maxTokens, 1, textBytes, 1, images, false, tools, true, f,
        -1, -1, -1, -1, -1, -1, 0, 0, dev.sluice.dispatcher.scan.Opening.NONE, 0, -1, -1, null, false);
  }
}
