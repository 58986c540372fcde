package dev.sluice.dispatcher.scan;

/**
 * Byte-level counts over the decoded prompt text, enough to tell prose, CJK, code and JSON apart.
 * All counts are over the same text whose length is {@link RequestFacts#textBytes()}.
 *
 * @param cjkBytes         bytes of characters in the CJK, kana and hangul blocks
 * @param otherNonAsciiBytes bytes of other non-ASCII characters
 * @param letters          ASCII letters
 * @param digits           ASCII digits
 * @param whitespace       spaces, tabs, newlines
 * @param newlines         line feeds
 * @param braces           {@code {}[]}
 * @param quotesAndColons  {@code "} and {@code :}
 * @param codePunct        {@code ;()=<>} and friends typical of source code
 * @param leadingIndent    spaces or tabs at the start of a line
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
