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

  /** Run classes of the documentation: letter, digit, blank, line break, punctuation, non-ASCII. */
  private static char runClass(int cp) {
    if (cp >= 0x80) {
      return 'U';
    }
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      return 'L';
    }
    if (cp >= '0' && cp <= '9') {
      return 'D';
    }
    if (cp == ' ' || cp == '\t') {
      return 'S';
    }
    if (cp == '\n' || cp == '\r') {
      return 'N';
    }
    return 'P';
  }

  static TextFeatures features(String text) {
    long cjk = 0, two = 0, three = 0, four = 0, digits = 0, punct = 0, structure = 0, code = 0;
    int[] cps = text.codePoints().toArray();
    for (int cp : cps) {
      int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (cp >= 0x80) {
        boolean isCjk = (cp >= 0x20000 && cp <= 0x3FFFF) || CJK.contains(Character.UnicodeBlock.of(cp));
        if (isCjk) {
          cjk += bytes;
        } else if (bytes == 2) {
          two++;
        } else if (bytes == 3) {
          three++;
        } else {
          four++;
        }
      } else if (Character.isLetter(cp)) {
        continue;
      } else if (Character.isDigit(cp)) {
        digits++;
      } else if (" \t\r\n".indexOf(cp) < 0) {
        punct++;
        structure += "{}[]\":".indexOf(cp) >= 0 ? 1 : 0;
        code += ";()=<>&|+*/%^~`".indexOf(cp) >= 0 ? 1 : 0;
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
    // runs: each code point with its neighbours; the edge of the string is a line break
    long words = 0, numbers = 0, punctRuns = 0, breaks = 0, spaceDigits = 0, attached = 0, spaceRuns = 0;
    for (int i = 0; i < cps.length; i++) {
      char p = i == 0 ? 'N' : runClass(cps[i - 1]);
      char c = runClass(cps[i]);
      char n = i + 1 == cps.length ? 'N' : runClass(cps[i + 1]);
      words += c == 'L' && p != 'L' ? 1 : 0;
      numbers += c == 'D' && p != 'D' ? 1 : 0;
      punctRuns += c == 'P' && p != 'P' ? 1 : 0;
      breaks += c == 'N' && p != 'N' && p != 'P' ? 1 : 0;
      spaceDigits += c == 'D' && p == 'S' ? 1 : 0;
      attached += c == 'P' && p != 'P' && p != 'S' && n == 'L' ? 1 : 0;
      spaceRuns += c == 'S' && p != 'S' && n == 'S' ? 1 : 0;
    }
    return new TextFeatures(cjk, two, three, four, digits, punct, structure, code, indent, 1, words, numbers,
        punctRuns, breaks, spaceDigits, attached, spaceRuns);
  }

  /** The features of two strings counted one after the other. */
  static TextFeatures sum(TextFeatures a, TextFeatures b) {
    return new TextFeatures(a.cjkBytes() + b.cjkBytes(), a.twoByte() + b.twoByte(), a.threeByte() + b.threeByte(),
        a.fourByte() + b.fourByte(), a.digits() + b.digits(), a.punct() + b.punct(),
        a.structure() + b.structure(), a.codePunct() + b.codePunct(),
        a.leadingIndent() + b.leadingIndent(), a.strings() + b.strings(), a.words() + b.words(),
        a.numbers() + b.numbers(), a.punctRuns() + b.punctRuns(), a.lineBreaks() + b.lineBreaks(),
        a.spaceDigits() + b.spaceDigits(), a.attachedPunct() + b.attachedPunct(), a.spaceRuns() + b.spaceRuns());
  }
}
