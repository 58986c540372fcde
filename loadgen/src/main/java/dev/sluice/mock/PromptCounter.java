package dev.sluice.mock;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Counts a request's prompt tokens the way a Llama-3 server would report {@code usage.prompt_tokens}: the
 * message texts tokenized with a BPE vocabulary (cl100k or o200k through JTokkit; Llama 3's vocabulary extends
 * cl100k, so counts agree on English and code) or estimated as UTF-8 bytes / 4, plus the chat template's
 * special tokens.
 *
 * <p>Llama-3 chat template overhead: {@code <|begin_of_text|>} once; per message
 * {@code <|start_header_id|>role<|end_header_id|>\n\n ... <|eot_id|>} = 5 tokens; then the generation prompt
 * {@code <|start_header_id|>assistant<|end_header_id|>\n\n} = 4 tokens. So {@code 5 + 5 * messages} (10 for a
 * single user turn). Completions get only the BOS token. Llama 3.1's default dated system block is not added.
 */
public final class PromptCounter {

  /** {@code <|begin_of_text|>}. */
  public static final int BOS_TOKENS = 1;
  /** Header (start, role, end, blank line) plus {@code <|eot_id|>} around each message. */
  public static final int PER_MESSAGE_TOKENS = 5;
  /** Header that opens the assistant turn. */
  public static final int GENERATION_PROMPT_TOKENS = 4;
  /** Bytes per token in {@code bytes} mode. */
  public static final int BYTES_PER_TOKEN = 4;
  /**
   * Characters of the longest token of cl100k and of o200k (both 128, measured by decoding every token id).
   * vLLM's renderer refuses a text longer than {@code max_input_tokens} times this without tokenizing it.
   */
  static final int BPE_MAX_CHARS_PER_TOKEN = 128;

  public enum Mode { CL100K, O200K, BYTES }

  /** Shared so each vocabulary is loaded (~250 ms) once per JVM, not once per server. */
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private final Mode mode;
  private final Encoding encoding;

  public PromptCounter(Mode mode) {
    this.mode = mode;
    this.encoding = switch (mode) {
      case CL100K -> REGISTRY.getEncoding(EncodingType.CL100K_BASE);
      case O200K -> REGISTRY.getEncoding(EncodingType.O200K_BASE);
      case BYTES -> null;
    };
  }

  /** {@code cl100k}, {@code o200k} or {@code bytes}. */
  public static Mode mode(String name) {
    return switch (name) {
      case "cl100k" -> Mode.CL100K;
      case "o200k" -> Mode.O200K;
      case "bytes" -> Mode.BYTES;
      default -> throw new IllegalArgumentException("unknown tokenizer '" + name + "' (cl100k|o200k|bytes)");
    };
  }

  public Mode mode() {
    return mode;
  }

  /** Template overhead of a chat request with this many messages. */
  public static int chatOverhead(int messages) {
    return BOS_TOKENS + PER_MESSAGE_TOKENS * messages + GENERATION_PROMPT_TOKENS;
  }

  /** Prompt tokens of a chat request: the texts of its messages plus the template. */
  public int chatPromptTokens(List<String> texts, int messages) {
    return textTokens(texts) + chatOverhead(messages);
  }

  /** Prompt tokens of a completions request: the prompt text plus BOS. */
  public int completionPromptTokens(List<String> texts) {
    return textTokens(texts) + BOS_TOKENS;
  }

  /** Tokens of the texts alone, no template. */
  public int textTokens(List<String> texts) {
    if (mode == Mode.BYTES) {
      long bytes = 0;
      for (int i = 0; i < texts.size(); i++) {
        bytes += utf8Length(texts.get(i));
      }
      return (int) ((bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN);
    }
    int tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      tokens += encoding.countTokensOrdinary(texts.get(i));
    }
    return tokens;
  }

  /** Characters of the longest token of the vocabulary ({@code tokenizer.max_chars_per_token} in vLLM). */
  public int maxCharsPerToken() {
    return mode == Mode.BYTES ? BYTES_PER_TOKEN : BPE_MAX_CHARS_PER_TOKEN;
  }

  /** True when counting these texts is slow enough to move off the event loop. */
  public boolean isExpensive(long textChars) {
    return mode != Mode.BYTES && textChars > MockDefaults.INLINE_TOKENIZE_MAX_CHARS;
  }

  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** UTF-8 bytes of a string, for tests and docs. */
  public static int bytesOf(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
