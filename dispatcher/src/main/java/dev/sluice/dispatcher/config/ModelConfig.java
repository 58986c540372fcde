package dev.sluice.dispatcher.config;

import dev.sluice.config.Key;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import java.util.List;
import java.util.stream.Stream;

/**
 * One model the node serves: an item of {@code models:}. Requests name it (or one of its aliases) in {@code model}
 * and go to the smallest pool of its ladder whose context holds their budget.
 *
 * @param name    the model's name, as its pools' servers know it (vLLM's {@code --served-model-name})
 * @param aliases other names clients may use; the node sends the model's own name upstream
 * @param pools   its ladder: names from {@code pools:}, in any order (the node orders them by context)
 */
public record ModelConfig(String name, List<String> aliases, List<String> pools) {
  static final Key<ModelConfig, String> NAME = Key.of("name", Type.TEXT, ModelConfig::name).required().notBlank()
      .rule(n -> n.length() <= Api.MAX_MODEL_NAME, "must be at most " + Api.MAX_MODEL_NAME + " characters")
      .doc("the model's name as its pools' servers serve it (vLLM `--served-model-name`)");
  static final Key<ModelConfig, List<String>> ALIASES = Key.of("aliases", Type.TEXTS, ModelConfig::aliases)
      .byDefault(List.of())
      .doc("other names clients may send in `model`; the request goes upstream with the model's own name");
  static final Key<ModelConfig, List<String>> POOLS = Key.of("pools", Type.TEXTS, ModelConfig::pools).required()
      .rule(p -> !p.isEmpty(), "must name at least one pool")
      .rule(p -> p.stream().distinct().count() == p.size(), "names a pool twice")
      .doc("the model's ladder: pools from `pools:`, any order (ordered by context); a pool may serve several "
          + "models");

  /** One item of {@code models:}. */
  public static final Section<ModelConfig> SECTION = Section.of(null,
      v -> new ModelConfig(v.get(NAME), v.get(ALIASES), v.get(POOLS)), NAME, ALIASES, POOLS);

  public ModelConfig {
    aliases = List.copyOf(aliases);
    pools = List.copyOf(pools);
  }

  /** Every name a request may use for this model: its own first, then its aliases. */
  public List<String> names() {
    return Stream.concat(Stream.of(name), aliases.stream()).toList();
  }
}
