package dev.sluice.loadgen;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts the true tokens of dataset text with the vocabulary chosen by {@code --tokenizer}, through JTokkit. JTokkit
 * carries cl100k and o200k; Llama 3's vocabulary extends cl100k and gives the same counts on English and code, so
 * {@code llama3} is counted with cl100k and says so (its counts on CJK text run higher than Llama 3's).
 */
final class Vocabulary {

  /** Shared so each vocabulary is loaded (~250 ms) once per JVM. */
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private final String name;
  private final Encoding encoding;

  private Vocabulary(String name, Encoding encoding) {
    this.name = name;
    this.encoding = encoding;
  }

  static Vocabulary of(Corpus.Tokenizer tokenizer) {
    return switch (tokenizer) {
      case O200K -> new Vocabulary("o200k", REGISTRY.getEncoding(EncodingType.O200K_BASE));
      case CL100K -> new Vocabulary("cl100k", REGISTRY.getEncoding(EncodingType.CL100K_BASE));
      case LLAMA3 -> new Vocabulary("cl100k (for llama3)", REGISTRY.getEncoding(EncodingType.CL100K_BASE));
    };
  }

  /** What the counts are in, e.g. {@code cl100k (for llama3)}. */
  String name() {
    return name;
  }

  /** Tokens of the text alone: no special tokens, no chat template. */
  int count(String text) {
    return encoding.countTokensOrdinary(text);
  }
}
