package dev.sluice.dispatcher.estimate;

import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.TextFeatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Test helpers: the scanner's byte features computed from a string, and request facts around them. */
final class Texts {
  private Texts() {
  }

  static Path shared() {
    String p = System.getProperty("sluice.shared");
    return p != null ? Path.of(p) : Path.of("..", "shared");
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
    return new RequestFacts(model, false, false, maxTokens, 1, textBytes, 1, images, false, tools, true, f, -1, -1,
        -1, -1, -1, -1);
  }
}
