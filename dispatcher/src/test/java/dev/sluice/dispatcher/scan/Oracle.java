package dev.sluice.dispatcher.scan;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/** Text features computed the slow, obvious way: per code point, with the JDK's Unicode block tables. */
final class Oracle {
  private static final Set<Character.UnicodeBlock> CJK = Set.of(
      Character.UnicodeBlock.CJK_RADICALS_SUPPLEMENT, Character.UnicodeBlock.KANGXI_RADICALS,
      Character.UnicodeBlock.IDEOGRAPHIC_DESCRIPTION_CHARACTERS, Character.UnicodeBlock.CJK_SYMBOLS_AND_PUNCTUATION,
      Character.UnicodeBlock.HIRAGANA, Character.UnicodeBlock.KATAKANA, Character.UnicodeBlock.BOPOMOFO,
      Character.UnicodeBlock.HANGUL_COMPATIBILITY_JAMO, Character.UnicodeBlock.KANBUN,
      Character.UnicodeBlock.BOPOMOFO_EXTENDED, Character.UnicodeBlock.CJK_STROKES,
      Character.UnicodeBlock.KATAKANA_PHONETIC_EXTENSIONS, Character.UnicodeBlock.ENCLOSED_CJK_LETTERS_AND_MONTHS,
      Character.UnicodeBlock.CJK_COMPATIBILITY, Character.UnicodeBlock.CJK_UNIFIED_IDEOGRAPHS_EXTENSION_A,
      Character.UnicodeBlock.CJK_UNIFIED_IDEOGRAPHS, Character.UnicodeBlock.HANGUL_JAMO,
      Character.UnicodeBlock.HANGUL_JAMO_EXTENDED_A, Character.UnicodeBlock.HANGUL_SYLLABLES,
      Character.UnicodeBlock.HANGUL_JAMO_EXTENDED_B, Character.UnicodeBlock.CJK_COMPATIBILITY_IDEOGRAPHS,
      Character.UnicodeBlock.CJK_COMPATIBILITY_FORMS, Character.UnicodeBlock.HALFWIDTH_AND_FULLWIDTH_FORMS);

  private Oracle() {
  }

  static TextFeatures features(String text) {
    long cjk = 0, other = 0, letters = 0, digits = 0, space = 0, newlines = 0, braces = 0, quotes = 0, punct = 0;
    for (int cp : text.codePoints().toArray()) {
      int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (cp >= 0x80) {
        boolean isCjk = (cp >= 0x20000 && cp <= 0x3FFFF) || CJK.contains(Character.UnicodeBlock.of(cp));
        if (isCjk) {
          cjk += bytes;
        } else {
          other += bytes;
        }
      } else if (Character.isLetter(cp)) {
        letters++;
      } else if (Character.isDigit(cp)) {
        digits++;
      } else if (" \t\r\n".indexOf(cp) >= 0) {
        space++;
        newlines += cp == '\n' ? 1 : 0;
      } else if ("{}[]".indexOf(cp) >= 0) {
        braces++;
      } else if ("\":".indexOf(cp) >= 0) {
        quotes++;
      } else if (";()=<>&|+*/%^~`".indexOf(cp) >= 0) {
        punct++;
      }
    }
    long indent = 0;
    for (String line : text.split("\n", -1)) {
      int i = 0;
      while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      indent += i;
    }
    return new TextFeatures(cjk, other, letters, digits, space, newlines, braces, quotes, punct, indent);
  }

  static TextFeatures sum(TextFeatures a, TextFeatures b) {
    return new TextFeatures(a.cjkBytes() + b.cjkBytes(), a.otherNonAsciiBytes() + b.otherNonAsciiBytes(),
        a.letters() + b.letters(), a.digits() + b.digits(), a.whitespace() + b.whitespace(),
        a.newlines() + b.newlines(), a.braces() + b.braces(), a.quotesAndColons() + b.quotesAndColons(),
        a.codePunct() + b.codePunct(), a.leadingIndent() + b.leadingIndent());
  }
}
