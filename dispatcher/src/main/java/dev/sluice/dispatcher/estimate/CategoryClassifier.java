package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.ContentCategory;
import dev.sluice.dispatcher.scan.RequestFacts;
import dev.sluice.dispatcher.scan.TextFeatures;

/**
 * Picks a request's content category from the scanner's byte counts: a few divisions and comparisons,
 * no allocation.
 *
 * <p>Thresholds were set on the shared corpus (fractions of the text bytes, 512-byte chunks, p5 to p95):
 * CJK bytes are 88-99% of mostly-CJK text, 20-96% of Japanese technical prose and 26-63% of the
 * English/Japanese catalog, 0 elsewhere; braces, quotes and colons are 17-33% of JSON and under 8% of
 * anything else; code punctuation plus a fifth of the leading indentation is 3-10% of Java and under 1%
 * of narrative prose, with documentation that embeds code samples in between.
 */
public final class CategoryClassifier {

  /** At least this share of CJK bytes: CJK text. */
  public static final double CJK_SHARE = 0.55;
  /** At least this share (and less than {@link #CJK_SHARE}): Latin and CJK mixed. */
  public static final double MIXED_SHARE = 0.05;
  /** At least this share of braces, brackets, quotes and colons: JSON-like structured data. */
  public static final double STRUCTURE_SHARE = 0.12;
  /** Code punctuation share plus {@link #INDENT_WEIGHT} times indentation share at least this: code. */
  public static final double CODE_SCORE = 0.06;
  public static final double INDENT_WEIGHT = 0.2;

  private CategoryClassifier() {
  }

  /** The category of a request: images or tools first, then the text's byte features. */
  public static ContentCategory classify(RequestFacts facts) {
    if (facts.hasImages() || facts.hasTools()) {
      return ContentCategory.MULTIMODAL;
    }
    return classify(facts.features(), facts.textBytes());
  }

  /** The category of a text of {@code textBytes} bytes with these features. */
  public static ContentCategory classify(TextFeatures f, long textBytes) {
    if (f == null || textBytes <= 0) {
      return ContentCategory.PROSE;
    }
    double t = textBytes;
    double cjk = f.cjkBytes() / t;
    if (cjk >= CJK_SHARE) {
      return ContentCategory.CJK;
    }
    if (cjk >= MIXED_SHARE) {
      return ContentCategory.MIXED;
    }
    if (f.structure() / t >= STRUCTURE_SHARE) {
      return ContentCategory.JSON;
    }
    if ((f.codePunct() + INDENT_WEIGHT * f.leadingIndent()) / t >= CODE_SCORE) {
      return ContentCategory.CODE;
    }
    return ContentCategory.PROSE;
  }
}
