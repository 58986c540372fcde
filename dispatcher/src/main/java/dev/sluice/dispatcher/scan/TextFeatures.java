package dev.sluice.dispatcher.scan;

/**
 * Byte-level counts over the decoded prompt text, enough to tell prose, CJK, code and JSON apart.
 * All counts are over the same text whose length is {@link RequestFacts#textBytes()}.
 *
 * @param cjkBytes         UTF-8 bytes of characters in the CJK blocks: U+1100-11FF, U+2E80-4DBF,
 *                         U+4E00-9FFF, U+A960-A97F, U+AC00-D7FF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF
 *                         (Han, kana, hangul, bopomofo, CJK punctuation, full/half-width forms) and
 *                         planes 2-3 (U+20000-3FFFF, supplementary ideographs)
 * @param otherNonAsciiBytes UTF-8 bytes of every other non-ASCII character
 * @param letters          ASCII letters
 * @param digits           ASCII digits
 * @param whitespace       space, tab, CR and LF
 * @param newlines         line feeds
 * @param braces           {@code {}[]}
 * @param quotesAndColons  {@code "} and {@code :}
 * @param codePunct        {@code ;()=<>&|+*}{@code /%^~`}, punctuation typical of source code
 * @param leadingIndent    spaces or tabs at the start of a line (each counted string starts a line)
 */
public record TextFeatures(
    long cjkBytes,
    long otherNonAsciiBytes,
    long letters,
    long digits,
    long whitespace,
    long newlines,
    long braces,
    long quotesAndColons,
    long codePunct,
    long leadingIndent) {

  public static final TextFeatures EMPTY = new TextFeatures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
