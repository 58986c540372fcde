package dev.sluice.dispatcher.scan;

import dev.sluice.calibration.ByteClass;
import dev.sluice.calibration.ClassCounts;

/**
 * Counts over the decoded prompt text: enough to tell prose, CJK, code and JSON apart (the category
 * classifier), and the byte classes the token estimate weighs ({@link ByteClass}). All counts are over the
 * same text whose length is {@link RequestFacts#textBytes()}; each counted string starts and ends a line
 * and a run.
 *
 * <p>The run counts look at each character with its two neighbours, in classes: ASCII letter, digit, blank
 * (space or tab), line break (LF or CR; the edge of a string counts as one), other ASCII (punctuation,
 * symbols, control characters), non-ASCII.
 *
 * @param cjkBytes        UTF-8 bytes of characters in the CJK blocks: U+1100-11FF, U+2E80-4DBF,
 *                        U+4E00-9FFF, U+A960-A97F, U+AC00-D7FF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF
 *                        (Han, kana, hangul, bopomofo, CJK punctuation, full/half-width forms) and
 *                        planes 2-3 (U+20000-3FFFF, supplementary ideographs)
 * @param twoByte         characters of two UTF-8 bytes
 * @param threeByte       characters of three UTF-8 bytes outside the CJK blocks
 * @param fourByte        characters of four UTF-8 bytes outside planes 2-3
 * @param digits          ASCII digits
 * @param punct           other ASCII characters that are not letters, blanks or line breaks: punctuation,
 *                        symbols, control characters
 * @param structure       {@code {}[]":}, punctuation typical of JSON
 * @param codePunct       {@code ;()=<>&|+*}{@code /%^~`}, punctuation typical of source code
 * @param leadingIndent   spaces or tabs at the start of a line
 * @param strings         prompt strings counted (one per message content or text part)
 * @param words           starts of runs of letters
 * @param numbers         starts of runs of digits
 * @param punctRuns       starts of runs of punctuation
 * @param lineBreaks      starts of runs of line breaks not right after punctuation
 * @param spaceDigits     digits right after a blank
 * @param attachedPunct   punctuation between a character that is neither punctuation nor blank and a letter
 * @param spaceRuns       starts of runs of two or more blanks
 */
public record TextFeatures(
    long cjkBytes,
    long twoByte,
    long threeByte,
    long fourByte,
    long digits,
    long punct,
    long structure,
    long codePunct,
    long leadingIndent,
    long strings,
    long words,
    long numbers,
    long punctRuns,
    long lineBreaks,
    long spaceDigits,
    long attachedPunct,
    long spaceRuns) implements ClassCounts {

  public static final TextFeatures EMPTY = new TextFeatures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** UTF-8 bytes of non-ASCII characters outside the CJK blocks. */
  public long otherNonAsciiBytes() {
    return 2 * twoByte + 3 * threeByte + 4 * fourByte;
  }

  @Override
  public long count(ByteClass c) {
    return switch (c) {
      case STRINGS -> strings;
      case DIGITS -> digits;
      case PUNCT -> punct;
      case WORDS -> words;
      case NUMBERS -> numbers;
      case PUNCT_RUNS -> punctRuns;
      case LINE_BREAKS -> lineBreaks;
      case SPACE_DIGITS -> spaceDigits;
      case ATTACHED_PUNCT -> attachedPunct;
      case SPACE_RUNS -> spaceRuns;
      case TWO_BYTE -> twoByte;
      case CJK_BYTES -> cjkBytes;
      case THREE_BYTE -> threeByte;
      case FOUR_BYTE -> fourByte;
    };
  }

  /** The features of these strings as the scanner counts them, each a prompt string of its own. */
  public static TextFeatures of(String... strings) {
    TextCounter counter = new TextCounter();
    for (String s : strings) {
      counter.beginString();
      counter.write(s.toCharArray(), 0, s.length());
    }
    return counter.features();
  }
}
