package dev.sluice.calibration;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The content classes that get their own bytes-per-token ratio. The set is fixed so that a model's
 * calibration is a small array indexed by ordinal: the request path never searches.
 */
public enum ContentCategory {
  /** Latin-script prose and documentation. */
  PROSE("prose"),
  /** Mostly CJK (Chinese, Japanese kana and kanji, Hangul) text. */
  CJK("cjk"),
  /** Source code. */
  CODE("code"),
  /** JSON and other bracket-and-quote structured data. */
  JSON("json"),
  /** Latin and CJK interleaved (translation catalogs, bilingual documents). */
  MIXED("mixed"),
  /** Requests with images or tool schemas: estimated, but never fed into a text ratio. */
  MULTIMODAL("multimodal");

  private static final ContentCategory[] ALL = values();
  private static final Map<String, ContentCategory> BY_NAME = new HashMap<>();

  static {
    for (ContentCategory c : ALL) {
      BY_NAME.put(c.id, c);
    }
    BY_NAME.put("text", PROSE);
    BY_NAME.put("latin", PROSE);
    BY_NAME.put("english", PROSE);
    BY_NAME.put("structured", JSON);
    BY_NAME.put("image", MULTIMODAL);
    BY_NAME.put("images", MULTIMODAL);
    BY_NAME.put("tools", MULTIMODAL);
  }

  private final String id;

  ContentCategory(String id) {
    this.id = id;
  }

  /** The name used in headers, config, metrics tags and the cluster map. */
  public String id() {
    return id;
  }

  /**
   * The category of a file of the shared text corpus ({@code ../shared/data/corpus}), from its name's prefix:
   * {@code code_}, {@code json_}, {@code ja_}, {@code mixed_}; everything else is prose. For benchmarks and tests
   * that know each chunk's true category.
   */
  public static ContentCategory ofCorpusFile(String name) {
    if (name.startsWith("code_")) {
      return CODE;
    }
    if (name.startsWith("json_")) {
      return JSON;
    }
    if (name.startsWith("ja_")) {
      return CJK;
    }
    if (name.startsWith("mixed_")) {
      return MIXED;
    }
    return PROSE;
  }

  /** Number of categories (array sizes). */
  public static int count() {
    return ALL.length;
  }

  public static ContentCategory ofOrdinal(int ordinal) {
    return ALL[ordinal];
  }

  /** The category named {@code name} (ids and a few aliases; case-insensitive, blanks ignored), or null. */
  public static ContentCategory byId(String name) {
    if (name == null) {
      return null;
    }
    ContentCategory c = BY_NAME.get(name);
    return c != null ? c : BY_NAME.get(name.strip().toLowerCase(Locale.ROOT));
  }
}
