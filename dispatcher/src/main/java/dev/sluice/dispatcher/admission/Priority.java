package dev.sluice.dispatcher.admission;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A request's class at admission: when a pool is saturated its waiters are served by class, with weights (a
 * starved class still advances), and by key inside a class. From the key's configuration, or from the
 * {@code x-sluice-priority} header up to the highest class the key may ask for.
 */
public enum Priority {
  HIGH,
  NORMAL,
  LOW;

  private static final Priority[] ALL = values();

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The word in the configuration, the header and the {@code priority} label of the metrics. */
  public String label() {
    return label;
  }

  /** Whether this class is above {@code other}. */
  public boolean above(Priority other) {
    return ordinal() < other.ordinal();
  }

  /** The class a header value names, or null for anything else. */
  public static Priority parse(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    for (Priority p : ALL) {
      if (p.label.equalsIgnoreCase(t)) {
        return p;
      }
    }
    return null;
  }

  /** The words of the configuration, for its {@code Type.choice}. */
  public static Map<String, Priority> words() {
    Map<String, Priority> words = new LinkedHashMap<>();
    for (Priority p : ALL) {
      words.put(p.label, p);
    }
    return words;
  }
}
