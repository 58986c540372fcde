package dev.sluice.loadgen;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds prompt text of a given true token count by concatenating corpus chunks of one category. A random run of
 * consecutive 4 KiB chunks of one source carries the bulk; the last few hundred tokens are solved exactly over the
 * 512 B chunks' token counts (a reachability table per category), so the sum lands within {@link #TOLERANCE} of the
 * target whenever the target is at least the category's smallest chunk.
 */
public final class PromptSynthesizer {

  /** Relative distance from the target token count that is accepted. */
  public static final double TOLERANCE = 0.02;

  /** A synthesized prompt: its UTF-8 text bytes and the sum of its chunks' true token counts. */
  public record Prompt(String category, byte[] utf8, int tokens) {
  }

  private final Corpus corpus;
  private final Map<String, Tail> tails = new HashMap<>();

  public PromptSynthesizer(Corpus corpus) {
    this.corpus = corpus;
  }

  public Prompt synthesize(String categoryName, int targetTokens, SplittableRandom random) {
    if (targetTokens < 1) {
      throw new IllegalArgumentException("target tokens must be >= 1");
    }
    Corpus.Category category = corpus.category(categoryName);
    Tail tail = tails.computeIfAbsent(categoryName, k -> new Tail(category.fine()));
    List<Corpus.Chunk> parts = new ArrayList<>();
    int remaining = targetTokens;

    List<Corpus.Chunk> source = category.bulkBySource().get(random.nextInt(category.bulkBySource().size()));
    int next = random.nextInt(source.size());
    while (remaining > tail.reachLimit) {
      Corpus.Chunk chunk = source.get(next);
      next = (next + 1) % source.size();
      if (remaining - chunk.tokens() < tail.solveFrom) {
        break;
      }
      parts.add(chunk);
      remaining -= chunk.tokens();
    }
    while (remaining > tail.solveFrom) {
      Corpus.Chunk chunk = category.fine().get(random.nextInt(category.fine().size()));
      if (remaining - chunk.tokens() < tail.solveFrom / 2) {
        continue;
      }
      parts.add(chunk);
      remaining -= chunk.tokens();
    }
    parts.addAll(tail.solve(remaining, !parts.isEmpty(), random));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int tokens = 0;
    for (Corpus.Chunk chunk : parts) {
      out.write(chunk.file(), chunk.offset(), chunk.length());
      tokens += chunk.tokens();
    }
    return new Prompt(categoryName, out.toByteArray(), tokens);
  }

  /** Exact subset-sum (with reuse) over the fine chunks' token counts, up to a few times the largest chunk. */
  private static final class Tail {

    private final Map<Integer, List<Corpus.Chunk>> byTokens = new HashMap<>();
    private final int[] lastStep;
    /** Remainders up to this are solved from the table. */
    private final int solveFrom;
    /** Above this the bulk chunks are used. */
    private final int reachLimit;

    Tail(List<Corpus.Chunk> fine) {
      int max = 0;
      for (Corpus.Chunk chunk : fine) {
        byTokens.computeIfAbsent(chunk.tokens(), k -> new ArrayList<>()).add(chunk);
        max = Math.max(max, chunk.tokens());
      }
      solveFrom = 3 * max;
      reachLimit = 6 * max;
      int size = 4 * max + 1;
      lastStep = new int[size];
      lastStep[0] = -1;
      int[] values = byTokens.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
      for (int v = 1; v < size; v++) {
        for (int value : values) {
          if (value > v) {
            break;
          }
          if (v - value == 0 || lastStep[v - value] != 0) {
            lastStep[v] = value;
            break;
          }
        }
      }
    }

    /**
     * Chunks summing as close to {@code remaining} as the table allows. The empty tail is allowed only when
     * {@code allowEmpty} (some chunks are already in the prompt).
     */
    List<Corpus.Chunk> solve(int remaining, boolean allowEmpty, SplittableRandom random) {
      List<Corpus.Chunk> parts = new ArrayList<>();
      if (remaining <= 0 && allowEmpty) {
        return parts;
      }
      int best = -1;
      for (int d = 0; d < lastStep.length && best < 0; d++) {
        int below = remaining - d;
        if (reachable(below) || (below == 0 && allowEmpty)) {
          best = below;
        } else if (reachable(remaining + d)) {
          best = remaining + d;
        }
      }
      for (int v = best; v > 0; v -= lastStep[v]) {
        parts.add(pick(lastStep[v], random));
      }
      return parts;
    }

    private boolean reachable(int v) {
      return v > 0 && v < lastStep.length && lastStep[v] != 0;
    }

    private Corpus.Chunk pick(int tokens, SplittableRandom random) {
      List<Corpus.Chunk> same = byTokens.get(tokens);
      return same.get(random.nextInt(same.size()));
    }
  }
}
