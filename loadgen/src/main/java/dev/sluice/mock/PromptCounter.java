package dev.sluice.mock;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Turns a request's prompt into the token ids a Llama-3 server would see, whose count is what it reports as
 * {@code usage.prompt_tokens} and whose content the prefix cache hashes: the message texts tokenized with a BPE
 * vocabulary (cl100k or o200k through JTokkit; Llama 3's vocabulary extends cl100k, so counts agree on English
 * and code) or cut into pieces of 4 UTF-8 bytes, plus the chat template's special tokens.
 *
 * <p>Llama-3 chat template overhead: {@code <|begin_of_text|>} once; per message
 * {@code <|start_header_id|>role<|end_header_id|>\n\n ... <|eot_id|>} = 5 tokens; then the generation prompt
 * {@code <|start_header_id|>assistant<|end_header_id|>\n\n} = 4 tokens. So {@code 5 + 5 * messages} (10 for a
 * single user turn). Completions get only the BOS token. Llama 3.1's default dated system block is not added.
 *
 * <p>With a BPE vocabulary the template's tokens stand around each message's text as the template puts them, so a
 * conversation's next turn starts with the previous turn's prompt and answer, token for token (the answer's
 * filler words are one token each). In {@code bytes} mode the text's 4-byte pieces run on across messages and
 * the template's tokens come last: the count is the same, and a next turn shares the previous turn's text but not
 * its answer, so the prefix cache finds less than it would behind a real tokenizer.
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

  /** Prompt tokens of a chat request: the texts of its messages plus the template (the ids' count, not built). */
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

  /**
   * A chat prompt's token ids: each message's header, text tokens and end, then the assistant's header. Message
   * {@code m}'s texts are {@code texts[messageEnds[m - 1], messageEnds[m])}.
   */
  public int[] chatPromptIds(List<String> texts, List<String> roles, int[] messageEnds) {
    IntArrayList ids = new IntArrayList(chatOverhead(roles.size()) + texts.size() * 64);
    if (mode == Mode.BYTES) {
      appendBytePieces(texts, ids);
      ids.add(BEGIN_OF_TEXT);
      for (String role : roles) {
        appendHeader(role, ids);
        ids.add(END_OF_TURN);
      }
      appendHeader("assistant", ids);
      return ids.toArray();
    }
    ids.add(BEGIN_OF_TEXT);
    for (int m = 0, t = 0; m < roles.size(); m++) {
      appendHeader(roles.get(m), ids);
      for (; t < messageEnds[m]; t++) {
        appendTokens(texts.get(t), ids);
      }
      ids.add(END_OF_TURN);
    }
    appendHeader("assistant", ids);
    return ids.toArray();
  }

  /** A completions prompt's token ids: BOS, the text, then any ids given directly. */
  public int[] completionPromptIds(List<String> texts, int[] tokenIds) {
    IntArrayList ids = new IntArrayList(BOS_TOKENS + texts.size() * 64 + tokenIds.length);
    if (mode == Mode.BYTES) {
      appendBytePieces(texts, ids);
      ids.add(BEGIN_OF_TEXT);
    } else {
      ids.add(BEGIN_OF_TEXT);
      for (String text : texts) {
        appendTokens(text, ids);
      }
    }
    for (int id : tokenIds) {
      ids.add(id);
    }
    return ids.toArray();
  }

  /**
   * The ids of the mock's output, whose token {@code i} is {@code words[i % words.length]}: each word's one token
   * (so that the answer, sent back as the next turn's text, tokenizes to what was generated), or in {@code bytes}
   * mode ids of its own.
   */
  public int[] outputCycle(String[] words) {
    int[] ids = new int[words.length];
    for (int i = 0; i < words.length; i++) {
      ids[i] = mode == Mode.BYTES ? OUTPUT_WORD - i : encoding.encodeOrdinary(words[i]).get(0);
    }
    return ids;
  }

  // special tokens get negative ids, apart from every vocabulary's
  private static final int BEGIN_OF_TEXT = -1;
  private static final int START_HEADER = -2;
  private static final int END_HEADER = -3;
  private static final int BLANK_LINE = -4;
  private static final int END_OF_TURN = -5;
  private static final int OUTPUT_WORD = -100;
  private static final int ROLE = -1_000;

  private static void appendHeader(String role, IntArrayList ids) {
    ids.add(START_HEADER);
    ids.add(ROLE - (role.hashCode() & 0xFFFFF));
    ids.add(END_HEADER);
    ids.add(BLANK_LINE);
  }

  private void appendTokens(String text, IntArrayList ids) {
    IntArrayList tokens = encoding.encodeOrdinary(text);
    for (int i = 0, n = tokens.size(); i < n; i++) {
      ids.add(tokens.get(i));
    }
  }

  /** The texts' UTF-8 bytes, run together, as one id per 4 bytes (the last piece padded). */
  private static void appendBytePieces(List<String> texts, IntArrayList ids) {
    int piece = 0;
    int filled = 0;
    for (String text : texts) {
      for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
        piece = piece << 8 | (b & 0xFF);
        if (++filled == BYTES_PER_TOKEN) {
          ids.add(piece);
          piece = 0;
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      ids.add(piece << 8 * (BYTES_PER_TOKEN - filled));
    }
  }

  /**
   * Llama 3's chat-template tokens, by id, as {@code cl100k} mode decodes them (Llama 3's vocabulary is cl100k's
   * plus its own; in {@code o200k} mode these ids are o200k's).
   */
  private static final Map<Integer, String> LLAMA3_SPECIAL = Map.of(
      128000, "<|begin_of_text|>", 128001, "<|end_of_text|>", 128006, "<|start_header_id|>",
      128007, "<|end_header_id|>", 128008, "<|eom_id|>", 128009, "<|eot_id|>");

  /**
   * The text of token ids, as vLLM's {@code /detokenize} gives it: each id of the BPE vocabulary (and Llama 3's
   * template tokens in {@code cl100k} mode) as its bytes, ids the vocabulary lacks as nothing; in {@code bytes} mode
   * each id as its 4 bytes, the zero bytes that pad a last piece dropped. Bytes that are not UTF-8 become U+FFFD.
   */
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
    IntArrayList one = new IntArrayList(1);
    for (int id : ids) {
      if (mode == Mode.BYTES) {
        for (int shift = 24; shift >= 0; shift -= 8) {
          int b = id >>> shift & 0xFF;
          if (b != 0) {
            out.write(b);
          }
        }
        continue;
      }
      String special = mode == Mode.CL100K ? LLAMA3_SPECIAL.get(id) : null;
      if (special != null) {
        out.writeBytes(special.getBytes(StandardCharsets.UTF_8));
        continue;
      }
      one.clear();
      one.add(id);
      try {
        out.writeBytes(encoding.decodeBytes(one));
      } catch (IllegalArgumentException unknown) {
        // not in the vocabulary: a real tokenizer would know it; the mock has no text for it
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Characters of the longest token of the vocabulary ({@code tokenizer.max_chars_per_token} in vLLM). */
  public int maxCharsPerToken() {
    return mode == Mode.BYTES ? BYTES_PER_TOKEN : BPE_MAX_CHARS_PER_TOKEN;
  }

  /** True when tokenizing these texts is slow enough to move off the event loop. */
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
