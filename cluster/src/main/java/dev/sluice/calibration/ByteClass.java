package dev.sluice.calibration;

import java.util.List;

/**
 * The counts of a prompt's text that the byte-class regression learns token weights for:
 * {@code tokens ≈ intercept + Σ weight(c) · count(c)}.
 *
 * <p>The classes follow how BPE vocabularies of the GPT-4 / Llama 3 family cut text before merging
 * bytes. Their pre-tokenizer splits text into pieces (a word with at most one leading space or
 * punctuation mark, a run of up to three digits, a run of punctuation with one leading space, a line
 * break, a run of blanks), and almost every piece becomes one token; only rare words and non-Latin
 * scripts split further. So the ASCII classes count the starts of such pieces (a transition from one kind
 * of character to another, seen with its two neighbours) and non-ASCII text is counted per character,
 * by UTF-8 length. On the shared corpus, token counts are 1.05 to 1.08 times the pieces for English prose
 * and code, 1.1 to 1.2 for JSON (docs/estimator.md has the measurements and the ablation behind this
 * list).
 *
 * <p>Each class has a prior weight, the physical guess used before samples arrive, and a scale: the count
 * of that class in a typical kilobyte that holds it, which sizes the prior's strength (see
 * {@link ClassParams#priorKilobytes()}). The order is the layout of the learned vectors; it is published
 * with them ({@link #layout()}), so nodes with a different list ignore each other's vectors.
 */
public enum ByteClass {
  /**
   * Prompt strings (message contents): the chat template adds its role header and end-of-turn tokens
   * around each, 5 in Llama 3's. Its prior is ten times firmer than the text classes', so that traffic of
   * single-message requests, where this count cannot be told from the intercept, leaves it near 5.
   */
  STRINGS("strings", 5.0, 10),
  /** ASCII digits: numbers split into runs of at most three digits. */
  DIGITS("digits", 1.0 / 3, 100),
  /** ASCII punctuation and symbols, every character (long runs split into several tokens). */
  PUNCT("punct", 0.0, 100),
  /** Starts of runs of ASCII letters: words. */
  WORDS("words", 1.0, 100),
  /** Starts of runs of ASCII digits. */
  NUMBERS("numbers", 2.0 / 3, 100),
  /** Starts of runs of ASCII punctuation. */
  PUNCT_RUNS("punct_runs", 1.0, 100),
  /** Starts of runs of line breaks, except right after punctuation (which takes the break along). */
  LINE_BREAKS("line_breaks", 1.0, 100),
  /** A digit right after a blank: the blank is a piece of its own, since numbers take no leading space. */
  SPACE_DIGITS("space_digits", 1.0, 100),
  /**
   * One punctuation character between a non-blank and a letter ({@code .put}, {@code (x}): the word may
   * take it along, removing a piece. Half a token taken off by prior.
   */
  ATTACHED_PUNCT("attached_punct", -0.5, 100),
  /** Starts of runs of two or more blanks (indentation): the run but its last blank is one piece. */
  SPACE_RUNS("space_runs", 1.0, 100),
  /** Two-byte UTF-8 characters (accented Latin, Greek, Cyrillic, Hebrew, Arabic). */
  TWO_BYTE("two_byte", 1.0, 100),
  /** UTF-8 bytes of CJK characters: about 0.85 tokens per character between older and newer vocabularies. */
  CJK_BYTES("cjk_bytes", 0.85 / 3, 300),
  /** Other three-byte UTF-8 characters (typographic quotes and dashes, symbols, Indic and Thai scripts). */
  THREE_BYTE("three_byte", 1.0, 100),
  /** Four-byte UTF-8 characters outside CJK (emoji, rare scripts). */
  FOUR_BYTE("four_byte", 1.5, 100);

  private static final ByteClass[] ALL = values();
  private static final List<String> LAYOUT = java.util.Arrays.stream(ALL).map(ByteClass::id).toList();

  private final String id;
  private final double priorWeight;
  private final double scale;

  ByteClass(String id, double priorWeight, double scale) {
    this.id = id;
    this.priorWeight = priorWeight;
    this.scale = scale;
  }

  /** The name used in the admin view, the cluster entry and the state file. */
  public String id() {
    return id;
  }

  /** Tokens per count assumed before any sample. */
  public double priorWeight() {
    return priorWeight;
  }

  /** A typical count of this class in a kilobyte of text that holds it. */
  public double scale() {
    return scale;
  }

  /** Number of classes; the learned vectors have one more entry, the intercept, at index 0. */
  public static int count() {
    return ALL.length;
  }

  /** Every class, in layout order (a shared array: do not modify). */
  static ByteClass[] all() {
    return ALL;
  }

  /** The class ids in layout order. */
  public static List<String> layout() {
    return LAYOUT;
  }
}
