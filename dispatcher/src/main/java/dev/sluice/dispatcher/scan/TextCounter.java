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

  // Each char has a class (3 bits): what it is to the pieces a BPE pre-tokenizer cuts (see TextFeatures).
  // The edge of a string counts as a line break.
  private static final int C_LETTER = 0;
  private static final int C_DIGIT = 1;
  private static final int C_BLANK = 2;
  private static final int C_BREAK = 3;
  private static final int C_STRUCTURE = 4;
  private static final int C_CODE = 5;
  private static final int C_PUNCT = 6;
  private static final int C_NON_ASCII = 7;
  private static final byte[] CLASSES = classes();
  /** The window of a string's start: two edges. */
  private static final int EDGE_WINDOW = C_BREAK << 3 | C_BREAK;
  // Every count as a 5-bit lane of one long. Each char adds one entry of TRIPLES, looked up by its class
  // and its two neighbours' (its successor is the char just read): one load and one add count all of
  // them at once, with no branch. Chars go by pairs through QUADS, whose entries are two TRIPLES entries
  // summed (see quads()). Every BLOCK chars, before any lane can overflow, the lanes are spread into two
  // longs of 10-bit lanes (even and odd lanes): four operations, and those hold BLOCKS_PER_SPREAD blocks.
  private static final int LANE_BITS = 5;
  private static final int LANE_MASK = (1 << LANE_BITS) - 1;
  /** Even, so that a block goes by whole pairs; at most LANE_MASK, so that no lane overflows in one. */
  private static final int BLOCK = LANE_MASK - 1;
  private static final long EVEN_LANES = evenLanes();
  private static final int SPREAD_BITS = 2 * LANE_BITS;
  private static final long SPREAD_MASK = (1L << SPREAD_BITS) - 1;
  private static final int BLOCKS_PER_SPREAD = (int) (SPREAD_MASK / BLOCK);
  private static final int DIGIT = 0;
  private static final int PUNCT = 1;
  private static final int STRUCTURE = 2;
  private static final int CODE_PUNCT = 3;
  private static final int WORD = 4;
  private static final int NUMBER = 5;
  private static final int PUNCT_RUN = 6;
  private static final int LINE_BREAK = 7;
  private static final int SPACE_DIGIT = 8;
  private static final int ATTACHED = 9;
  private static final int SPACE_RUN = 10;
  /** A line break followed by a blank: the block may hold indentation. */
  private static final int INDENT_HINT = 11;
  private static final long[] TRIPLES = triples();
  private static final long[] QUADS = quads();
  // Every char's entry (one int): its class in the top 3 bits, and below, the UTF-8 counts it adds, as
  // lanes summed over a block: 2-byte, 3-byte and 4-byte chars (5 bits each), non-ASCII chars (5 bits) and
  // CJK bytes (7 bits). One load per char, no branch; a 256 KiB table, of which ASCII text touches 512 bytes.
  private static final int CLASS_SHIFT = 29;
  private static final int TWO_SHIFT = 0;
  private static final int THREE_SHIFT = 5;
  private static final int FOUR_SHIFT = 10;
  private static final int NON_ASCII_SHIFT = 15;
  private static final int CJK_SHIFT = 20;
  private static final int CJK_MASK = 0x7F;
  private static final int[] CHARS = chars();

  private long textBytes;
  private long stringBytes;
  private long cjkBytes;
  private long twoByte;
  private long threeByte;
  private long fourByte;
  private long digits;
  private long punct;
  private long structure;
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
  /** Classes of the last two chars read (3 bits each); the last one is counted once its successor is read. */
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
    return new TextFeatures(cjkBytes, twoByte, threeByte, fourByte, digits, punct, structure, codePunct,
        leadingIndent, strings, words, numbers, punctRuns, lineBreaks, spaceDigits, attachedPunct, spaceRuns);
  }

  /** Counts the string's last char, whose successor is the string's end. */
  private void endString() {
    long lanes = TRIPLES[window << 3 | C_BREAK];
    add(lanes & EVEN_LANES, (lanes >>> LANE_BITS) & EVEN_LANES);
    window = EDGE_WINDOW;
  }

  @Override
  public void write(char[] buf, int off, int len) {
    int[] chars = CHARS;
    long[] triples = TRIPLES;
    long[] quads = QUADS;
    int end = off + len;
    long cjk = 0;
    long two = 0;
    long three = 0;
    long four = 0;
    long nonAscii = 0;
    int win = window;
    boolean atLineStart = lineStart;
    long even = 0;
    long odd = 0;
    int blocks = 0;
    for (int start = off; start < end; ) {
      int blockEnd = Math.min(end, start + BLOCK);
      long lanes = 0;
      int utf = 0;
      int i = start;
      if (((blockEnd - i) & 1) != 0) { // an odd run's last block: one char alone first
        int e = chars[buf[i++]];
        // The class bits overflow out of the top; the lanes below hold a block's counts.
        utf += e;
        // The previous char, now that its successor is known.
        win = (win << 3 | e >>> CLASS_SHIFT) & 0x1FF;
        lanes += triples[win];
      }
      // The classes of the last two chars read, in place above the next pair's: one index for the four.
      int held = (win & 0x3F) << 6;
      for (; i < blockEnd; i += 2) {
        int a = chars[buf[i]];
        int b = chars[buf[i + 1]];
        utf += a + b;
        int pair = (a >>> CLASS_SHIFT) << 3 | b >>> CLASS_SHIFT;
        lanes += quads[held | pair];
        held = pair << 6;
      }
      win = held >>> 6;
      two += (utf >>> TWO_SHIFT) & LANE_MASK;
      three += (utf >>> THREE_SHIFT) & LANE_MASK;
      four += (utf >>> FOUR_SHIFT) & LANE_MASK;
      nonAscii += (utf >>> NON_ASCII_SHIFT) & LANE_MASK;
      cjk += (utf >>> CJK_SHIFT) & CJK_MASK;
      even += lanes & EVEN_LANES;
      odd += (lanes >>> LANE_BITS) & EVEN_LANES;
      if (++blocks == BLOCKS_PER_SPREAD) {
        add(even, odd);
        even = 0;
        odd = 0;
        blocks = 0;
      }
      // Indentation needs the line-start state, a serial dependency that would slow every char; the
      // loop above only flags blocks that may hold some, which are then walked exactly.
      if (lane(lanes, INDENT_HINT) != 0 || (atLineStart && isBlank(buf[start]))) {
        atLineStart = countIndent(buf, start, blockEnd, atLineStart);
      } else {
        atLineStart = endsAtLineStart(buf, start, blockEnd, atLineStart);
      }
      start = blockEnd;
    }
    add(even, odd);
    window = win & 0x3F;
    lineStart = atLineStart;
    cjkBytes += cjk;
    twoByte += two;
    threeByte += three;
    fourByte += four;
    long bytes = (len - nonAscii) + cjk + 2 * two + 3 * three + 4 * four;
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

  private static long lane(long lanes, int lane) {
    return (lanes >>> (lane * LANE_BITS)) & LANE_MASK;
  }

  /** Lane {@code lane} from the spread longs: even lanes in {@code even}, odd ones in {@code odd}. */
  private static long spread(long even, long odd, int lane) {
    return ((lane % 2 == 0 ? even : odd) >>> (lane / 2 * SPREAD_BITS)) & SPREAD_MASK;
  }

  private void add(long even, long odd) {
    digits += spread(even, odd, DIGIT);
    punct += spread(even, odd, PUNCT);
    structure += spread(even, odd, STRUCTURE);
    codePunct += spread(even, odd, CODE_PUNCT);
    words += spread(even, odd, WORD);
    numbers += spread(even, odd, NUMBER);
    punctRuns += spread(even, odd, PUNCT_RUN);
    lineBreaks += spread(even, odd, LINE_BREAK);
    spaceDigits += spread(even, odd, SPACE_DIGIT);
    attachedPunct += spread(even, odd, ATTACHED);
    spaceRuns += spread(even, odd, SPACE_RUN);
  }

  /** The 5-bit lanes 0, 2, 4, ... at their place: each gets a 10-bit field once the odd ones are moved out. */
  private static long evenLanes() {
    long m = 0;
    for (int lane = 0; lane <= INDENT_HINT; lane += 2) {
      m |= (long) LANE_MASK << (lane * LANE_BITS);
    }
    return m;
  }

  /**
   * The counts of a char of class {@code c} between chars of classes {@code p} and {@code n}, for every
   * (p, c, n): its own class counts; the starts of letter, digit and punctuation runs; line breaks not right
   * after punctuation (which the pre-tokenizer puts with the punctuation); a digit after a blank; one
   * punctuation char between a non-blank non-punctuation char and a letter; the start of a run of two or
   * more blanks; and the indentation hint.
   */
  private static long[] triples() {
    long[] t = new long[1 << 9];
    for (int p = 0; p < 8; p++) {
      for (int c = 0; c < 8; c++) {
        for (int n = 0; n < 8; n++) {
          boolean punct = isPunct(c);
          long lanes = 0;
          lanes |= c == C_DIGIT ? bit(DIGIT) : 0;
          lanes |= punct ? bit(PUNCT) : 0;
          lanes |= c == C_STRUCTURE ? bit(STRUCTURE) : 0;
          lanes |= c == C_CODE ? bit(CODE_PUNCT) : 0;
          lanes |= c == C_LETTER && p != C_LETTER ? bit(WORD) : 0;
          lanes |= c == C_DIGIT && p != C_DIGIT ? bit(NUMBER) : 0;
          lanes |= punct && !isPunct(p) ? bit(PUNCT_RUN) : 0;
          lanes |= c == C_BREAK && p != C_BREAK && !isPunct(p) ? bit(LINE_BREAK) : 0;
          lanes |= c == C_DIGIT && p == C_BLANK ? bit(SPACE_DIGIT) : 0;
          lanes |= punct && !isPunct(p) && p != C_BLANK && n == C_LETTER ? bit(ATTACHED) : 0;
          lanes |= c == C_BLANK && p != C_BLANK && n == C_BLANK ? bit(SPACE_RUN) : 0;
          lanes |= c == C_BREAK && n == C_BLANK ? bit(INDENT_HINT) : 0;
          t[p << 6 | c << 3 | n] = lanes;
        }
      }
    }
    return t;
  }

  /**
   * The counts of two chars at once, for every four classes (p, l, a, b) read in that order: l between p and a,
   * and a between l and b. The pair (a, b) is read; l, read before it, is counted now that its successor is known,
   * and a, whose successor b is known; b waits for the next pair. 4,096 entries (32 KiB), one load per two chars.
   */
  private static long[] quads() {
    long[] q = new long[1 << 12];
    for (int i = 0; i < q.length; i++) {
      q[i] = TRIPLES[i >>> 3] + TRIPLES[i & 0x1FF];
    }
    return q;
  }

  private static boolean isPunct(int cls) {
    return cls == C_STRUCTURE || cls == C_CODE || cls == C_PUNCT;
  }

  private static long bit(int lane) {
    return 1L << (lane * LANE_BITS);
  }

  /**
   * Every UTF-16 char's entry. A surrogate pair counts 4 bytes, attributed to its high half (the high
   * surrogates D840..DBBF encode planes 2 and 3, the supplementary ideographs, which count as CJK); the
   * low half counts only as a non-ASCII char.
   */
  private static int[] chars() {
    int[] t = new int[1 << 16];
    for (int c = 0; c < t.length; c++) {
      int e;
      if (c < 0x80) {
        e = CLASSES[c] << CLASS_SHIFT;
      } else {
        e = C_NON_ASCII << CLASS_SHIFT | 1 << NON_ASCII_SHIFT;
        if (c < 0x800) {
          e |= 1 << TWO_SHIFT;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
          if (c < 0xDC00) {
            e |= c >= 0xD840 && c < 0xD8C0 ? 4 << CJK_SHIFT : 1 << FOUR_SHIFT;
          }
        } else if (isCjk((char) c)) {
          e |= 3 << CJK_SHIFT;
        } else {
          e |= 1 << THREE_SHIFT;
        }
      }
      t[c] = e;
    }
    return t;
  }

  /** The class of every ASCII char. */
  private static byte[] classes() {
    byte[] t = new byte[128];
    java.util.Arrays.fill(t, (byte) C_PUNCT);
    for (char c = 'a'; c <= 'z'; c++) {
      t[c] = C_LETTER;
      t[Character.toUpperCase(c)] = C_LETTER;
    }
    for (char c = '0'; c <= '9'; c++) {
      t[c] = C_DIGIT;
    }
    t[' '] = C_BLANK;
    t['\t'] = C_BLANK;
    t['\r'] = C_BREAK;
    t['\n'] = C_BREAK;
    for (char c : "{}[]\":".toCharArray()) {
      t[c] = C_STRUCTURE;
    }
    for (char c : ";()=<>&|+*/%^~`".toCharArray()) {
      t[c] = C_CODE;
    }
    return t;
  }
}
