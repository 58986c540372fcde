package dev.sluice.planner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Gives a traced request (which carries only token counts) a prompt byte length, from the true bytes/token
 * of real text chunks ({@code corpus/chunk_tokens.tsv}, Llama-3 tokenizer, 4 KiB chunks). A prompt of k
 * chunks' worth of bytes draws k chunk ratios and averages them, so long prompts vary less, as real ones do.
 */
public final class PromptBytes {
  /** Chunk size of the chunk set drawn from, in bytes. */
  static final int CHUNK_BYTES = 4096;
  /** More draws than this change the average too little to matter. */
  private static final int MAX_DRAWS = 16;

  private final double[] ratios;
  private final double mean;
  private final double sd;

  public PromptBytes(double[] ratios) {
    if (ratios.length == 0) {
      throw new IllegalArgumentException("no ratios");
    }
    this.ratios = ratios.clone();
    double s = 0;
    for (double r : ratios) {
      s += r;
    }
    mean = s / ratios.length;
    double v = 0;
    for (double r : ratios) {
      v += (r - mean) * (r - mean);
    }
    sd = Math.sqrt(v / ratios.length);
  }

  /** The ratios of the named categories' 4 KiB chunks in {@code chunk_tokens.tsv}. */
  public static PromptBytes fromCorpus(Path chunkTokensTsv, List<String> categories) throws IOException {
    Map<String, List<Double>> byCategory = readRatios(chunkTokensTsv);
    List<Double> picked = new ArrayList<>();
    for (String c : categories) {
      List<Double> r = byCategory.get(c);
      if (r == null) {
        throw new IllegalArgumentException("no category '" + c + "' in " + chunkTokensTsv + "; have "
            + byCategory.keySet());
      }
      picked.addAll(r);
    }
    return new PromptBytes(picked.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static Map<String, List<Double>> readRatios(Path tsv) throws IOException {
    Map<String, List<Double>> out = new TreeMap<>();
    List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      if (f.length < 9 || !f[0].equals(Integer.toString(CHUNK_BYTES))) {
        continue;
      }
      int tokens = Integer.parseInt(f[8]);
      if (tokens > 0) {
        out.computeIfAbsent(f[1], k -> new ArrayList<>()).add(Double.parseDouble(f[4]) / tokens);
      }
    }
    return out;
  }

  /** Mean bytes per token over the chunks. */
  public double mean() {
    return mean;
  }

  /** Standard deviation of bytes per token over the chunks. */
  public double sd() {
    return sd;
  }

  /**
   * The ratio a settled calibrating estimator routes with: one standard deviation below the mean (its
   * asymmetric update chases low ratios, which lands it near the lower tail).
   */
  public double conservativeRatio() {
    return Math.max(0.5, mean - sd);
  }

  /** Bytes of a prompt of {@code tokens} tokens. */
  public long bytesFor(int tokens, SplittableRandom random) {
    long approxBytes = Math.round(tokens * mean);
    int draws = (int) Math.min(MAX_DRAWS, Math.max(1, (approxBytes + CHUNK_BYTES - 1) / CHUNK_BYTES));
    double sum = 0;
    for (int i = 0; i < draws; i++) {
      sum += ratios[random.nextInt(ratios.length)];
    }
    return Math.round(tokens * sum / draws);
  }

  @Override
  public String toString() {
    return String.format("PromptBytes[n=%d mean=%.3f sd=%.3f]", ratios.length, mean, sd);
  }
}
