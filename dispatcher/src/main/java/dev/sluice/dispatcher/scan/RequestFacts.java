package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;

/**
 * What the body scanner learned from one request body, without building a tree.
 *
 * <p>Offsets are byte offsets into the raw body as received; -1 means "absent". They let the relay
 * rewrite {@code stream_options} in place (see {@link IncludeUsageRewrite}) without re-serialising.
 *
 * <p>Prompt text ("counted strings"): for chat, every message's {@code content} when it is a string,
 * and the {@code text} string of every content part (whatever the part's type); for completions,
 * {@code prompt} when a string, or each string of a {@code prompt} array. Nothing else counts: not
 * roles, names, tool calls or tool schemas. When a top-level key repeats, the last value wins for the
 * scalar fields; a repeated {@code messages}/{@code prompt} is counted each time.
 *
 * <p>The other APIs' prompt text: Responses {@code instructions}, an {@code input} string, and in {@code input}
 * items a message's {@code content} (string or text parts), a tool call's {@code arguments}, a tool result's
 * {@code output}; Messages {@code system} (string or text blocks) and each message's content as chat's (a
 * tool_result block's string {@code content} too); embeddings each {@code input} string; tokenize as chat or
 * completions. Token ids given as such are counted in {@code tokenIds}, not as text.
 *
 * @param api                   which API the body was sent to
 * @param model                 the {@code model} string, or null when absent or JSON null
 * @param stream                {@code stream} was JSON true (false, null and absent all give false)
 * @param includeUsage          the client's {@code stream_options} settle usage and must reach the upstream as
 *                              sent: an object whose {@code include_usage} is absent or JSON true (vLLM reads an
 *                              absent one as true up to its PR #36379, as false since: the upstream decides),
 *                              or one with {@code continuous_usage_stats} set, which an added
 *                              {@code include_usage} would turn into usage on every chunk. False for no
 *                              {@code stream_options}, {@code null}, or an {@code include_usage} of false or
 *                              null without continuous stats: the only case Sluice asks for usage itself
 * @param maxTokens             {@code max_completion_tokens}, else {@code max_tokens} ({@code max_output_tokens}
 *                              for Responses); -1 when neither is given (or both are null). Each, when given, is
 *                              an integer in 1..2^31-1
 * @param n                     {@code n} (an integer of at least 1), 1 when absent or null
 * @param textBytes             decoded UTF-8 byte length of the counted strings: JSON escapes are decoded
 *                              first, so {@code \u00e9} counts 2 and an escaped surrogate pair counts 4
 *                              (a lone escaped high surrogate counts 4, a lone low one 0)
 * @param messages              number of entries in {@code messages} (0 for completions)
 * @param hasImages             some content part has a {@code type} other than {@code "text"} (image_url,
 *                              input_audio, file, ...) or no type at all
 * @param hasRemoteMedia        some content part's {@code image_url}, {@code video_url} or {@code audio_url}
 *                              (a string, or an object's {@code url}) is not a {@code data:} URL: the model
 *                              server would fetch it
 * @param hasTools              {@code tools} or {@code functions} is present and not null (even if empty)
 * @param hasPrompt             the prompt carrier was present: {@code messages} (chat) or {@code prompt}
 *                              (completions); always true in facts returned by the scanner, whose absence
 *                              is an error
 * @param features              byte-level content features over the counted strings; each string starts
 *                              a line
 * @param bodyEnd               offset of the top-level closing brace
 * @param streamOptionsStart    offset of the opening brace of the {@code stream_options} object, or of
 *                              its {@code null} literal when the client sent {@code "stream_options":null}
 * @param includeUsageValueStart offset of the {@code include_usage} value token ({@code true},
 *                              {@code false} or {@code null})
 * @param includeUsageValueEnd  offset one past the end of that token
 * @param promptFrom            offset right after the key of the prompt carrier ({@code "messages"} or
 *                              {@code "prompt"}, its last occurrence): its value follows after blanks and a
 *                              colon. A tokenizer can be asked for the prompt without re-serialising it
 * @param promptEnd             offset one past the end of that value
 * @param promptCacheKey        the {@link dev.sluice.dispatcher.balance.KeyHash} of {@code prompt_cache_key}
 *                              (a string), {@code AffinityKey.NONE} when absent
 * @param user                  the hash of the OpenAI {@code user} field (a string), or none
 * @param opening               where the conversation's opening lies in the body: the counted strings' raw bytes in
 *                              order up to the end of the first user message, at most as many bytes as the scanner
 *                              was told; {@link Opening#NONE} when there is no prompt text
 * @param tokenIds              prompt tokens given as token ids (completions, embeddings, detokenize): exact
 * @param modelStart            offset of the {@code model} string token's opening quote, or -1 (absent or null);
 *                              a name written with escapes is longer in the body than decoded, and this offset then
 *                              falls inside the token, on a byte that is not a quote: check before editing
 * @param modelEnd              offset one past its closing quote
 * @param previousResponseId    the Responses API's {@code previous_response_id}, or null
 * @param conversation          the Responses API's {@code conversation} is set: the prompt holds server-side
 *                              state of unknown size
 */
public record RequestFacts(
    Api api,
    String model,
    boolean stream,
    boolean includeUsage,
    int maxTokens,
    int n,
    long textBytes,
    int messages,
    boolean hasImages,
    boolean hasRemoteMedia,
    boolean hasTools,
    boolean hasPrompt,
    TextFeatures features,
    int bodyEnd,
    int streamOptionsStart,
    int includeUsageValueStart,
    int includeUsageValueEnd,
    int promptFrom,
    int promptEnd,
    long promptCacheKey,
    long user,
    Opening opening,
    int tokenIds,
    int modelStart,
    int modelEnd,
    String previousResponseId,
    boolean conversation) {

  /** The same facts for the model named {@code name} (an alias resolved to its model). */
  public RequestFacts withModel(String name) {
    return new RequestFacts(api, name, stream, includeUsage, maxTokens, n, textBytes, messages, hasImages,
        hasRemoteMedia, hasTools, hasPrompt, features, bodyEnd, streamOptionsStart, includeUsageValueStart,
        includeUsageValueEnd, promptFrom, promptEnd, promptCacheKey, user, opening, tokenIds, modelStart, modelEnd,
        previousResponseId, conversation);
  }

  /** Whether the prompt builds on state the upstream keeps (an earlier response, a conversation). */
  public boolean referencesState() {
    return previousResponseId != null || conversation;
  }
}
