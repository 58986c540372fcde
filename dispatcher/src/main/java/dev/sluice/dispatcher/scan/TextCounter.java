package dev.sluice.dispatcher.scan;

import java.io.Writer;

/**
 * Counts the UTF-8 bytes and the {@link TextFeatures} of decoded prompt text, fed as UTF-16 char runs
 * straight out of Jackson's text buffer (a {@link Writer} so that {@code JsonParser.getText(Writer)}
 * hands over its segments without joining them into one array or a String).
 *
 * <p>A surrogate pair counts 4 bytes, attributed to its high half; a lone high surrogate also counts 4
 * and a lone low surrogate 0, so a pair split across runs still sums to 4.
 */
final class TextCounter extends Writer {

  // ASCII classes packed as 8-bit lanes of one long, so the hot loop does one table load and one add
  // per ASCII char. Lanes are flushed every BLOCK chars, before any can overflow.
  private static final int LETTER = 0;
  private static final int DIGIT = 8;
  private static final int SPACE = 16;
  private static final int NEWLINE = 24;
  private static final int BRACE = 32;
  private static final int QUOTE_COLON = 40;
  private static final int CODE_PUNCT = 48;
  private static final int BLOCK = 255;
  private static final long[] ASCII_LANES = asciiLanes();
  // Per 256-char page of the BMP: wholly CJK, wholly other, or mixed (and surrogates): one load decides
  // most chars of CJK text.
  private static final byte OTHER_PAGE = 0;
  private static final byte CJK_PAGE = 1;
  private static final byte MIXED_PAGE = 2;
  private static final byte[] PAGES = pages();

  private long textBytes;
  private long stringBytes;
  private long cjkBytes;
  private long otherNonAsciiBytes;
  private long letters;
  private long digits;
  private long whitespace;
  private long newlines;
  private long braces;
  private long quotesAndColons;
  private long codePunct;
  private long leadingIndent;
  private boolean lineStart;

  /** Starts a new prompt string: its first char is at the start of a line. */
  void beginString() {
    stringBytes = 0;
    lineStart = true;
  }

  /** Decoded UTF-8 bytes of the string since {@link #beginString()}. */
  long stringBytes() {
    return stringBytes;
  }

  long textBytes() {
    return textBytes;
  }

  TextFeatures features() {
    return new TextFeatures(cjkBytes, otherNonAsciiBytes, letters, digits, whitespace, newlines, braces,
        quotesAndColons, codePunct, leadingIndent);
  }

  @Override
  public void write(char[] buf, int off, int len) {
    long[] table = ASCII_LANES;
    int end = off + len;
    long cjk = 0;
    long other = 0;
    int nonAsciiChars = 0;
    boolean atLineStart = lineStart;
    for (int start = off; start < end; ) {
      int blockEnd = Math.min(end, start + BLOCK);
      long lanes = 0;
      boolean indented = false;
      for (int i = start; i < blockEnd; i++) {
        char c = buf[i];
        // Unconditional add: ASCII is the common case; a non-ASCII char takes it back below.
        long e = table[c & 0x7F];
        lanes += e;
        if (c == '\n' && i + 1 < end && isBlank(buf[i + 1])) {
          indented = true;
        }
        if (c >= 0x80) {
          lanes -= e;
          nonAsciiChars++;
          if (c < 0x800) {
            other += 2;
          } else {
            byte page = PAGES[c >>> 8];
            if (page == CJK_PAGE) {
              cjk += 3;
            } else if (page == OTHER_PAGE) {
              other += 3;
            } else if (c >= 0xD800 && c <= 0xDFFF) {
              if (c < 0xDC00) {
                // High surrogates D840..D8BF encode planes 2 and 3: the supplementary ideographs.
                if (c >= 0xD840 && c < 0xD8C0) {
                  cjk += 4;
                } else {
                  other += 4;
                }
              }
            } else if (isCjk(c)) {
              cjk += 3;
            } else {
              other += 3;
            }
          }
        }
      }
      addLanes(lanes);
      // Indentation needs the line-start state, a serial dependency that would slow every char; the
      // loop above only flags blocks that may hold some, which are then walked exactly.
      if (indented || (atLineStart && isBlank(buf[start]))) {
        atLineStart = countIndent(buf, start, blockEnd, atLineStart);
      } else {
        atLineStart = endsAtLineStart(buf, start, blockEnd, atLineStart);
      }
      start = blockEnd;
    }
    lineStart = atLineStart;
    cjkBytes += cjk;
    otherNonAsciiBytes += other;
    long bytes = (len - nonAsciiChars) + cjk + other;
    textBytes += bytes;
    stringBytes += bytes;
  }

  /** Exact indentation of a block: the blanks at its start when it starts a line, then after each line feed. */
  private boolean countIndent(char[] buf, int from, int to, boolean atLineStart) {
    long indent = 0;
    int i = from;
    if (atLineStart) {
      while (i < to && isBlank(buf[i])) {
        i++;
      }
      indent += i - from;
    }
    for (; i < to; i++) {
      if (buf[i] == '\n') {
        int j = i + 1;
        while (j < to && isBlank(buf[j])) {
          j++;
        }
        indent += j - i - 1;
        i = j - 1;
      }
    }
    leadingIndent += indent;
    return endsAtLineStart(buf, from, to, atLineStart);
  }

  /** Line-start state after a block without indentation: look back over its trailing blanks. */
  private static boolean endsAtLineStart(char[] buf, int from, int to, boolean atLineStart) {
    int i = to - 1;
    while (i >= from && isBlank(buf[i])) {
      i--;
    }
    return i < from ? atLineStart : buf[i] == '\n';
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  @Override
  public void write(String s, int off, int len) {
    // Only reached if Jackson already materialised the String; count it the same way, without copying.
    char[] one = new char[1];
    for (int i = off; i < off + len; i++) {
      one[0] = s.charAt(i);
      write(one, 0, 1);
    }
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }

  /** Han, kana, hangul, bopomofo and CJK punctuation/compatibility blocks of the BMP (3-byte chars). */
  static boolean isCjk(char c) {
    if (c >= 0x2E80 && c <= 0x9FFF) {
      return c <= 0x4DBF || c >= 0x4E00; // 4DC0..4DFF are Yijing hexagram symbols
    }
    return (c >= 0xAC00 && c <= 0xD7FF) // hangul syllables, jamo extended-B
        || (c >= 0xFF00 && c <= 0xFFEF) // halfwidth and fullwidth forms
        || (c >= 0xF900 && c <= 0xFAFF) // CJK compatibility ideographs
        || (c >= 0xFE30 && c <= 0xFE4F) // CJK compatibility forms
        || (c >= 0x1100 && c <= 0x11FF) // hangul jamo
        || (c >= 0xA960 && c <= 0xA97F); // hangul jamo extended-A
  }

  private void addLanes(long lanes) {
    letters += (lanes >>> LETTER) & 0xFF;
    digits += (lanes >>> DIGIT) & 0xFF;
    whitespace += (lanes >>> SPACE) & 0xFF;
    newlines += (lanes >>> NEWLINE) & 0xFF;
    braces += (lanes >>> BRACE) & 0xFF;
    quotesAndColons += (lanes >>> QUOTE_COLON) & 0xFF;
    codePunct += (lanes >>> CODE_PUNCT) & 0xFF;
  }

  private static byte[] pages() {
    byte[] pages = new byte[256];
    for (int page = 0; page < 256; page++) {
      int cjk = 0;
      for (int c = page << 8; c < (page + 1) << 8; c++) {
        cjk += isCjk((char) c) ? 1 : 0;
      }
      boolean surrogates = page >= 0xD8 && page <= 0xDF;
      pages[page] = surrogates || (cjk > 0 && cjk < 256) ? MIXED_PAGE : cjk == 256 ? CJK_PAGE : OTHER_PAGE;
    }
    return pages;
  }

  private static long[] asciiLanes() {
    long[] t = new long[128];
    for (char c = 'a'; c <= 'z'; c++) {
      t[c] = 1L << LETTER;
      t[Character.toUpperCase(c)] = 1L << LETTER;
    }
    for (char c = '0'; c <= '9'; c++) {
      t[c] = 1L << DIGIT;
    }
    t[' '] = 1L << SPACE;
    t['\t'] = 1L << SPACE;
    t['\r'] = 1L << SPACE;
    t['\n'] = (1L << SPACE) | (1L << NEWLINE);
    for (char c : "{}[]".toCharArray()) {
      t[c] = 1L << BRACE;
    }
    t['"'] = 1L << QUOTE_COLON;
    t[':'] = 1L << QUOTE_COLON;
    for (char c : ";()=<>&|+*/%^~`".toCharArray()) {
      t[c] = 1L << CODE_PUNCT;
    }
    return t;
  }
}
