package dev.sluice.loadgen;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The HTTP API a run drives ({@code --api}): which path its requests go to, how their bodies are laid out
 * ({@link RequestBody}) and how their answers are read ({@link ResponseScan}).
 */
public enum Api {
  /** OpenAI chat completions, the default: {@code messages}, {@code max_tokens}. */
  CHAT("/v1/chat/completions", "openai-chat"),
  /** OpenAI completions: the messages' text as one {@code prompt}. */
  COMPLETIONS("/v1/completions", "openai"),
  /** OpenAI Responses: {@code input} items, {@code instructions}, {@code max_output_tokens}; named SSE events. */
  RESPONSES("/v1/responses", "openai-responses"),
  /** Anthropic Messages: {@code system}, {@code messages}, {@code max_tokens}; named SSE events. */
  MESSAGES("/v1/messages", "anthropic-messages"),
  /** OpenAI embeddings: one {@code input}, nothing generated, never streamed. */
  EMBEDDINGS("/v1/embeddings", "openai-embeddings");

  /** The option's line in every usage text that takes it. */
  static final String HELP = "  --api API             chat (default), completions, responses, messages or embeddings: "
      + "the\n                        endpoint and body shape (path defaults to the API's, e.g. /v1/messages)\n";
  /** The Messages API refuses requests without a version; this is the one its streams are read as. */
  static final String ANTHROPIC_VERSION_HEADER = "anthropic-version";
  static final String ANTHROPIC_VERSION = "2023-06-01";

  private final String path;
  private final String backend;

  Api(String path, String backend) {
    this.path = path;
    this.backend = backend;
  }

  /** The name {@code --api} takes. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Where a target without a path of its own is sent. */
  public String path() {
    return path;
  }

  /**
   * The {@code backend} a vLLM benchmark result names for this API: vLLM's own names for chat, completions and
   * embeddings; vLLM's benchmark has none for the other two, so they are named after their wire shapes.
   */
  public String backend() {
    return backend;
  }

  /**
   * Whether the API generates text: false for embeddings, which take no output length, cannot stream and have no
   * answer a next turn could carry on from.
   */
  public boolean generates() {
    return this != EMBEDDINGS;
  }

  /** Events a stream sends ahead of its first token's: the role chunk of a chat stream (vLLM writes it with it). */
  public int roleEvents() {
    return this == CHAT ? 1 : 0;
  }

  public static Api parse(String name) {
    for (Api api : values()) {
      if (api.id().equals(name)) {
        return api;
      }
    }
    throw new IllegalArgumentException("--api must be " + choices() + ", not '" + name + "'");
  }

  private static String choices() {
    String all = Arrays.stream(values()).map(Api::id).collect(Collectors.joining(", "));
    int last = all.lastIndexOf(", ");
    return all.substring(0, last) + " or " + all.substring(last + 2);
  }
}
