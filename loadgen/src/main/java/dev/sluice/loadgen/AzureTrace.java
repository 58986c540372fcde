package dev.sluice.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * An Azure LLM inference trace ({@code TIMESTAMP,ContextTokens,GeneratedTokens}) as arrival offsets from its first row.
 * Timestamps look like {@code 2023-11-16 18:17:03.9799600}; a trailing zone such as {@code +00:00} is ignored.
 */
public final class AzureTrace {

  /** One request of the trace, its offset counted from the first row. */
  public record Row(long offsetNanos, int contextTokens, int generatedTokens) {
  }

  private AzureTrace() {
  }

  /** Reads a trace file; one without the {@code TIMESTAMP} header is refused, naming the file. */
  public static List<Row> read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).strip().startsWith("TIMESTAMP")) {
      throw new IOException(csv + ": not an Azure LLM trace (no TIMESTAMP,ContextTokens,GeneratedTokens header)");
    }
    try {
      return parse(lines);
    } catch (RuntimeException e) {
      throw new IOException(csv + ": " + e.getMessage(), e);
    }
  }

  /** Parses the lines of a trace, header included; rows are kept in file order (the traces are sorted). */
  public static List<Row> parse(List<String> lines) {
    List<Row> rows = new ArrayList<>(lines.size());
    long first = Long.MIN_VALUE;
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("TIMESTAMP")) {
        continue;
      }
      String[] cells = trimmed.split(",");
      if (cells.length < 3) {
        throw new IllegalArgumentException("trace row needs 3 columns: " + line);
      }
      long at = epochNanos(cells[0].strip());
      if (first == Long.MIN_VALUE) {
        first = at;
      }
      rows.add(new Row(Math.max(0, at - first), Integer.parseInt(cells[1].strip()), Integer.parseInt(cells[2].strip())));
    }
    return List.copyOf(rows);
  }

  /** {@code yyyy-MM-dd HH:mm:ss[.fffffffff][zone]} to nanoseconds since the epoch, zone ignored. */
  static long epochNanos(String ts) {
    int year = Integer.parseInt(ts.substring(0, 4));
    int month = Integer.parseInt(ts.substring(5, 7));
    int day = Integer.parseInt(ts.substring(8, 10));
    int hour = Integer.parseInt(ts.substring(11, 13));
    int minute = Integer.parseInt(ts.substring(14, 16));
    int second = Integer.parseInt(ts.substring(17, 19));
    long nanos = 0;
    if (ts.length() > 19 && ts.charAt(19) == '.') {
      int digits = 0;
      for (int i = 20; i < ts.length() && Character.isDigit(ts.charAt(i)); i++, digits++) {
        if (digits < 9) {
          nanos = nanos * 10 + (ts.charAt(i) - '0');
        }
      }
      for (int d = Math.min(digits, 9); d < 9; d++) {
        nanos *= 10;
      }
    }
    long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
    return seconds * 1_000_000_000L + nanos;
  }
}
