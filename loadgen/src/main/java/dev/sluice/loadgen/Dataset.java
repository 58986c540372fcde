package dev.sluice.loadgen;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Prompts from a dataset file, read with Jackson one entry at a time (a ShareGPT dump is hundreds of megabytes).
 *
 * <ul>
 *   <li>{@code sharegpt}: a JSON array of {@code {"conversations": [{"from", "value"}, ...]}}. As in vLLM's
 *       benchmark, the first turn is the prompt and the second turn's length in tokens is the output length;
 *       entries with fewer than two turns are skipped.</li>
 *   <li>{@code jsonl}: one JSON object per line with {@code "prompt": "..."} or {@code "messages": [{"role",
 *       "content"}, ...]}, and optionally {@code "max_tokens"}.</li>
 *   <li>{@code mtbench}: MT-Bench's {@code question.jsonl}, {@code {"question_id", "category", "turns": [...]}}; the
 *       first turn is the prompt. It has no output lengths.</li>
 * </ul>
 *
 * Entries are kept whatever their length (vLLM drops ShareGPT prompts under 4 or over 1,024 tokens); an entry is
 * skipped only when it has nothing to send, and the skips are counted.
 */
public final class Dataset {

  public enum Format {
    SHAREGPT, JSONL, MTBENCH;

    public static Format parse(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--dataset-format must be sharegpt, jsonl or mtbench, not '" + name + "'");
      }
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One chat message. */
  public record Message(String role, String content) {
  }

  /**
   * One usable entry.
   *
   * @param messages  what to send
   * @param maxTokens the output length the dataset states, or null
   * @param reply     a reply whose token count is the output length (ShareGPT), or null
   */
  public record Entry(List<Message> messages, Integer maxTokens, String reply) {
  }

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path file;
  private final Format format;
  private final List<Entry> entries;
  private final int skipped;

  private Dataset(Path file, Format format, List<Entry> entries, int skipped) {
    this.file = file;
    this.format = format;
    this.entries = List.copyOf(entries);
    this.skipped = skipped;
  }

  public Path file() {
    return file;
  }

  public Format format() {
    return format;
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Entries that had nothing to send (no prompt text, or a ShareGPT conversation of fewer than two turns). */
  public int skipped() {
    return skipped;
  }

  /** Reads the whole file; a malformed entry fails with its line. */
  public static Dataset read(Path file, Format format) throws IOException {
    List<Entry> entries = new ArrayList<>();
    int skipped = switch (format) {
      case SHAREGPT -> read(file, format, ShareGptEntry.class, ShareGptEntry::entry, entries);
      case JSONL -> read(file, format, JsonlLine.class, JsonlLine::entry, entries);
      case MTBENCH -> read(file, format, MtBenchQuestion.class, MtBenchQuestion::entry, entries);
    };
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("dataset " + file + " (" + format.id() + ") has no usable entry ("
          + skipped + " skipped)");
    }
    return new Dataset(file, format, entries, skipped);
  }

  /**
   * Reads a JSON array of values, or a sequence of root values (one per line), one value at a time; adds each
   * usable entry and returns how many were skipped.
   */
  private static <T> int read(Path file, Format format, Class<T> type, Function<T, Entry> toEntry,
      List<Entry> entries) throws IOException {
    int skipped = 0;
    int line = 1;
    try (MappingIterator<T> it = MAPPER.readerFor(type).readValues(file.toFile())) {
      while (it.hasNextValue()) {
        line = it.getCurrentLocation().getLineNr();
        Entry entry = toEntry.apply(it.nextValue());
        if (entry == null) {
          skipped++;
        } else {
          entries.add(entry);
        }
      }
    } catch (JsonProcessingException e) {
      int at = e.getLocation() == null ? line : e.getLocation().getLineNr();
      throw new IllegalArgumentException(where(file, format, at) + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where(file, format, line) + e.getMessage(), e);
    }
    return skipped;
  }

  private static String where(Path file, Format format, int line) {
    return "dataset " + file + " (" + format.id() + "), line " + line + ": ";
  }

  /**
   * {@code n} entries drawn without replacement in an order fixed by the seed (a seeded shuffle, then the first
   * {@code n}); {@code n} is capped at the dataset's size.
   */
  public List<Entry> sample(int n, long seed) {
    int[] order = new int[entries.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < Math.min(n, order.length); i++) {
      out.add(entries.get(order[i]));
    }
    return out;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private record Turn(String from, String value) {
  }

  private record ShareGptEntry(List<Turn> conversations) {
    Entry entry() {
      if (conversations == null || conversations.size() < 2 || blank(conversations.get(0).value())) {
        return null;
      }
      String reply = conversations.get(1).value();
      return new Entry(List.of(new Message("user", conversations.get(0).value())), null, reply == null ? "" : reply);
    }
  }

  private record JsonlLine(String prompt, List<Message> messages, @JsonProperty("max_tokens") Integer maxTokens) {
    Entry entry() {
      if (maxTokens != null && maxTokens < 1) {
        throw new IllegalArgumentException("max_tokens must be >= 1, not " + maxTokens);
      }
      if (messages != null && !messages.isEmpty()) {
        for (Message m : messages) {
          if (blank(m.role()) || m.content() == null) {
            throw new IllegalArgumentException("every message needs a role and a string content: " + m);
          }
        }
        return new Entry(List.copyOf(messages), maxTokens, null);
      }
      return blank(prompt) ? null : new Entry(List.of(new Message("user", prompt)), maxTokens, null);
    }
  }

  private record MtBenchQuestion(@JsonProperty("question_id") Integer questionId, String category,
      List<String> turns) {
    Entry entry() {
      return turns == null || turns.isEmpty() || blank(turns.get(0)) ? null
          : new Entry(List.of(new Message("user", turns.get(0))), null, null);
    }
  }
}
