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
  private static final int PUNCT = 16;
  private static final int BRACE = 24;
  private static final int QUOTE_COLON = 32;
  private static final int CODE_PUNCT = 40;
  // The top three bits of a table entry hold the char's run class (below); adding them to the lanes
  // only ever carries out of the long.
  private static final int CLASS_SHIFT = 61;
  private static final int BLOCK = 255;
  private static final long[] ASCII_LANES = asciiLanes();

  // Run classes: what a char is to the pieces a BPE pre-tokenizer cuts (see TextFeatures).
  private static final int C_LETTER = 0;
  private static final int C_DIGIT = 1;
  private static final int C_BLANK = 2;
  private static final int C_BREAK = 3;
  private static final int C_PUNCT = 4;
  private static final int C_NON_ASCII = 5;
  private static final int C_EDGE = 6;
  /** Two edges: the window before a string's first char. */
  private static final int EDGE_WINDOW = C_EDGE << 3 | C_EDGE;
  // Run counts, as 8-bit lanes of a second long. Each char adds one entry of TRIPLES, looked up by its
  // class and its two neighbours' (3 bits each): one load counts all of them at once, whatever their
  // number, with no branch.
  private static final int WORD = 0;
  private static final int NUMBER = 8;
  private static final int PUNCT_RUN = 16;
  private static final int LINE_BREAK = 24;
  private static final int SPACE_DIGIT = 32;
  private static final int ATTACHED = 40;
  private static final int SPACE_RUN = 48;
  /** A line break followed by a blank: the block may hold indentation. */
  private static final int INDENT_HINT = 56;
  private static final long[] TRIPLES = triples();
  // Per 256-char page of the BMP: wholly CJK, wholly other, or mixed (and surrogates): one load decides
  // most chars of CJK text.
  private static final byte OTHER_PAGE = 0;
  private static final byte CJK_PAGE = 1;
  private static final byte MIXED_PAGE = 2;
  private static final byte[] PAGES = pages();

  private long textBytes;
  private long stringBytes;
  private long cjkBytes;
  private long twoByte;
  private long threeByte;
  private long fourByte;
  private long letters;
  private long digits;
  private long punct;
  private long braces;
  private long quotesAndColons;
  private long codePunct;
  private long leadingIndent;
  private long strings;
  private long words;
  private long numbers;
  private long punctRuns;
  private long lineBreaks;
  private long spaceDigits;
  private long attachedPunct;
  private long spaceRuns;
  private boolean lineStart;
  /** Classes of the last two chars seen (3 bits each); the last one's runs wait for its successor. */
  private int window = EDGE_WINDOW;

  /** Starts a new prompt string: its first char is at the start of a line and of a run. */
  void beginString() {
    endString();
    strings++;
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
    endString();
    return new TextFeatures(cjkBytes, twoByte, threeByte, fourByte, letters, digits, punct, braces,
        quotesAndColons, codePunct, leadingIndent, strings, words, numbers, punctRuns, lineBreaks, spaceDigits,
        attachedPunct, spaceRuns);
  }

  /** Counts the runs of the string's last char, whose successor is the string's end. */
  private void endString() {
    addRuns(TRIPLES[window << 3 | C_EDGE]);
    window = EDGE_WINDOW;
  }

  @Override
  public void write(char[] buf, int off, int len) {
    long[] table = ASCII_LANES;
    long[] triples = TRIPLES;
    int end = off + len;
    long cjk = 0;
    long two = 0;
    long three = 0;
    long four = 0;
    int nonAsciiChars = 0;
    int win = window;
    boolean atLineStart = lineStart;
    for (int start = off; start < end; ) {
      int blockEnd = Math.min(end, start + BLOCK);
      long lanes = 0;
      long runs = 0;
      for (int i = start; i < blockEnd; i++) {
        char c = buf[i];
        // Unconditional add: ASCII is the common case; a non-ASCII char takes it back below.
        long e = table[c & 0x7F];
        lanes += e;
        int cls = (int) (e >>> CLASS_SHIFT);
        if (c >= 0x80) {
          lanes -= e;
          cls = C_NON_ASCII;
          nonAsciiChars++;
          if (c < 0x800) {
            two++;
          } else {
            byte page = PAGES[c >>> 8];
            if (page == CJK_PAGE) {
              cjk += 3;
            } else if (page == OTHER_PAGE) {
              three++;
            } else if (c >= 0xD800 && c <= 0xDFFF) {
              if (c < 0xDC00) {
                // High surrogates D840..D8BF encode planes 2 and 3: the supplementary ideographs.
                if (c >= 0xD840 && c < 0xD8C0) {
                  cjk += 4;
                } else {
                  four++;
                }
              }
            } else if (isCjk(c)) {
              cjk += 3;
            } else {
              three++;
            }
          }
        }
        // The previous char's runs, now that its successor is known.
        int triple = win << 3 | cls;
        runs += triples[triple];
        win = triple & 0x3F;
      }
      addLanes(lanes);
      addRuns(runs);
      // Indentation needs the line-start state, a serial dependency that would slow every char; the
      // loop above only flags blocks that may hold some, which are then walked exactly.
      if (((runs >>> INDENT_HINT) & 0xFF) != 0 || (atLineStart && isBlank(buf[start]))) {
        atLineStart = countIndent(buf, start, blockEnd, atLineStart);
      } else {
        atLineStart = endsAtLineStart(buf, start, blockEnd, atLineStart);
      }
      start = blockEnd;
    }
    window = win;
    lineStart = atLineStart;
    cjkBytes += cjk;
    twoByte += two;
    threeByte += three;
    fourByte += four;
    long bytes = (len - nonAsciiChars) + cjk + 2 * two + 3 * three + 4 * four;
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
    punct += (lanes >>> PUNCT) & 0xFF;
    braces += (lanes >>> BRACE) & 0xFF;
    quotesAndColons += (lanes >>> QUOTE_COLON) & 0xFF;
    codePunct += (lanes >>> CODE_PUNCT) & 0xFF;
  }

  private void addRuns(long runs) {
    words += (runs >>> WORD) & 0xFF;
    numbers += (runs >>> NUMBER) & 0xFF;
    punctRuns += (runs >>> PUNCT_RUN) & 0xFF;
    lineBreaks += (runs >>> LINE_BREAK) & 0xFF;
    spaceDigits += (runs >>> SPACE_DIGIT) & 0xFF;
    attachedPunct += (runs >>> ATTACHED) & 0xFF;
    spaceRuns += (runs >>> SPACE_RUN) & 0xFF;
  }

  /**
   * The run counts of a char of class {@code c} between chars of classes {@code p} and {@code n}, for every
   * (p, c, n): the starts of letter, digit and punctuation runs; line breaks not right after punctuation
   * (which the pre-tokenizer puts with the punctuation); a digit after a blank; one punctuation char
   * between a non-blank non-punctuation char and a letter; the start of a run of two or more blanks.
   */
  private static long[] triples() {
    long[] t = new long[1 << 9];
    for (int p = 0; p < 8; p++) {
      for (int c = 0; c < 8; c++) {
        for (int n = 0; n < 8; n++) {
          long lanes = 0;
          if (c == C_LETTER && p != C_LETTER) {
            lanes |= 1L << WORD;
          }
          if (c == C_DIGIT && p != C_DIGIT) {
            lanes |= 1L << NUMBER;
          }
          if (c == C_PUNCT && p != C_PUNCT) {
            lanes |= 1L << PUNCT_RUN;
          }
          if (c == C_BREAK && p != C_BREAK && p != C_PUNCT) {
            lanes |= 1L << LINE_BREAK;
          }
          if (c == C_DIGIT && p == C_BLANK) {
            lanes |= 1L << SPACE_DIGIT;
          }
          if (c == C_PUNCT && p != C_PUNCT && p != C_BLANK && n == C_LETTER) {
            lanes |= 1L << ATTACHED;
          }
          if (c == C_BLANK && p != C_BLANK && n == C_BLANK) {
            lanes |= 1L << SPACE_RUN;
          }
          if (c == C_BREAK && n == C_BLANK) {
            lanes |= 1L << INDENT_HINT;
          }
          t[p << 6 | c << 3 | n] = lanes;
        }
      }
    }
    return t;
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
    for (int c = 0; c < 128; c++) {
      t[c] = (long) C_PUNCT << CLASS_SHIFT | 1L << PUNCT;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      t[c] = (long) C_LETTER << CLASS_SHIFT | 1L << LETTER;
      t[Character.toUpperCase(c)] = (long) C_LETTER << CLASS_SHIFT | 1L << LETTER;
    }
    for (char c = '0'; c <= '9'; c++) {
      t[c] = (long) C_DIGIT << CLASS_SHIFT | 1L << DIGIT;
    }
    t[' '] = (long) C_BLANK << CLASS_SHIFT;
    t['\t'] = (long) C_BLANK << CLASS_SHIFT;
    t['\r'] = (long) C_BREAK << CLASS_SHIFT;
    t['\n'] = (long) C_BREAK << CLASS_SHIFT;
    for (char c : "{}[]".toCharArray()) {
      t[c] |= 1L << BRACE;
    }
    t['"'] |= 1L << QUOTE_COLON;
    t[':'] |= 1L << QUOTE_COLON;
    for (char c : ";()=<>&|+*/%^~`".toCharArray()) {
      t[c] |= 1L << CODE_PUNCT;
    }
    return t;
  }
}
