package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.ContentCategory;
import java.util.List;

/**
 * Config rules that fix the category for a model name (for a model that only ever sees one kind of
 * content), and the header override. Immutable; matching is a prefix comparison per rule, no regex.
 *
 * @param rules checked in order; the first match wins
 */
public record CategoryRules(List<Rule> rules) {

  /** Request header naming the category; wins over the rules. */
  public static final String HEADER = "x-sluice-category";

  public static final CategoryRules NONE = new CategoryRules(List.of());

  /**
   * @param model    an exact model name, or a prefix ending in {@code *} ({@code "qwen-coder*"}); {@code *} alone matches all
   * @param category a category id ({@link ContentCategory#id()})
   */
  public record Rule(String model, String category) {
    public Rule {
      if (model == null || model.isEmpty()) {
        throw new IllegalArgumentException("category rule needs a model (name or prefix*)");
      }
      if (ContentCategory.byId(category) == null) {
        throw new IllegalArgumentException("category rule for '" + model + "': unknown category '" + category + "'");
      }
    }

    boolean matches(String name) {
      if (model.endsWith("*")) {
        return name.regionMatches(0, model, 0, model.length() - 1);
      }
      return model.equals(name);
    }
  }

  public CategoryRules {
    rules = List.copyOf(rules);
  }

  /**
   * The category override for a request: the header when it names a known category, else the first rule
   * matching the model, else null (classify from the content).
   */
  public String resolve(String headerValue, String model) {
    if (headerValue != null) {
      ContentCategory c = ContentCategory.byId(headerValue);
      if (c != null) {
        return c.id();
      }
    }
    if (model != null) {
      for (Rule r : rules) {
        if (r.matches(model)) {
          return ContentCategory.byId(r.category()).id();
        }
      }
    }
    return null;
  }
}
