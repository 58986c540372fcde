package dev.sluice.dispatcher.scan;

/**
 * What the body scanner learned from one OpenAI request body, without building a tree.
 *
 * <p>Offsets are byte offsets into the raw body as received; -1 means "absent". They let the relay
 * rewrite {@code stream_options} in place (see {@link IncludeUsageRewrite}) without re-serialising.
 *
 * @param model                 the {@code model} string, or null when absent
 * @param stream                {@code stream} was true
 * @param includeUsage          {@code stream_options.include_usage} was true
 * @param maxTokens             {@code max_completion_tokens}, else {@code max_tokens}; -1 when neither is given
 *                              (or both are null)
 * @param n                     {@code n}, 1 when absent
 * @param textBytes             decoded UTF-8 byte length of the prompt text (message contents, or {@code prompt})
 * @param messages              number of entries in {@code messages} (0 for completions)
 * @param hasImages             an {@code image_url} (or other non-text) content part is present
 * @param hasTools              {@code tools} or {@code functions} is present
 * @param hasPrompt             the prompt carrier was present: {@code messages} (chat) or {@code prompt} (completions)
 * @param features              byte-level content features for the category classifier
 * @param bodyEnd               offset of the top-level closing brace
 * @param streamOptionsStart    offset of the opening brace of the {@code stream_options} object, or of
 *                              its {@code null} literal when the client sent {@code "stream_options":null}
 * @param includeUsageValueStart offset of the {@code include_usage} value token ({@code true},
 *                              {@code false} or {@code null})
 * @param includeUsageValueEnd  offset one past the end of that token
 */
public record RequestFacts(
    String model,
    boolean stream,
    boolean includeUsage,
    int maxTokens,
    int n,
    long textBytes,
    int messages,
    boolean hasImages,
    boolean hasTools,
    boolean hasPrompt,
    TextFeatures features,
    int bodyEnd,
    int streamOptionsStart,
    int includeUsageValueStart,
    int includeUsageValueEnd) {
}
