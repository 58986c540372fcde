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

  static boolean isCjk(int cp) {
    return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F)
        || (cp >= 0x20000 && cp <= 0x2FFFF);
  }

  /** Counts as documented on {@link TextFeatures}. */
  static TextFeatures features(String text) {
    long cjk = 0, other = 0, letters = 0, digits = 0, ws = 0, nl = 0, braces = 0, qc = 0, punct = 0, indent = 0;
    boolean lineStart = true;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 128) {
        int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
        if (isCjk(cp)) {
          cjk += n;
        } else {
          other += n;
        }
        lineStart = false;
        continue;
      }
      char ch = (char) cp;
      if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
        letters++;
      } else if (ch >= '0' && ch <= '9') {
        digits++;
      }
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
        ws++;
      }
      if (ch == '\n') {
        nl++;
        lineStart = true;
        continue;
      }
      if ("{}[]".indexOf(ch) >= 0) {
        braces++;
      }
      if (ch == '"' || ch == ':') {
        qc++;
      }
      if (";()=<>&|!+*/%^~".indexOf(ch) >= 0) {
        punct++;
      }
      if ((ch == ' ' || ch == '\t') && lineStart) {
        indent++;
      } else if (ch != '\r') {
        lineStart = false;
      }
    }
    return new TextFeatures(cjk, other, letters, digits, ws, nl, braces, qc, punct, indent);
  }

  static RequestFacts facts(String model, String text) {
    long bytes = text.getBytes(StandardCharsets.UTF_8).length;
    return facts(model, bytes, features(text), -1, false, false);
  }

  /**
   * Facts for a text of {@code textBytes} bytes that looks like {@code sample} repeated: the sample's
   * features scaled to that length.
   */
  static RequestFacts facts(String model, long textBytes, String sample, int maxTokens, boolean images,
      boolean tools) {
    TextFeatures f = features(sample);
    double k = textBytes / (double) sample.getBytes(StandardCharsets.UTF_8).length;
    TextFeatures scaled = new TextFeatures(Math.round(f.cjkBytes() * k), Math.round(f.otherNonAsciiBytes() * k),
        Math.round(f.letters() * k), Math.round(f.digits() * k), Math.round(f.whitespace() * k),
        Math.round(f.newlines() * k), Math.round(f.braces() * k), Math.round(f.quotesAndColons() * k),
        Math.round(f.codePunct() * k), Math.round(f.leadingIndent() * k));
    return facts(model, textBytes, scaled, maxTokens, images, tools);
  }

  static RequestFacts facts(String model, long textBytes, TextFeatures f, int maxTokens, boolean images,
      boolean tools) {
    return new RequestFacts(model, false, false, maxTokens, 1, textBytes, 1, images, false, tools, true, f, -1, -1,
        -1, -1, 0, 0, 0);
  }
}
