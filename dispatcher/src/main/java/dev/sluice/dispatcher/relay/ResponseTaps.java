package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.scan.RequestFacts;

/**
 * Picks the tap for a successful upstream response: the JSON tap for a plain response, and for an event
 * stream either the tap that removes the usage-only event Sluice asked for on the client's behalf, or the
 * one that passes everything through because the client asked for usage itself.
 */
public final class ResponseTaps {

  /**
   * The node's factory: every 2xx response is read for {@code usage}, and for its completion tokens too when the
   * request's key is charged on them.
   */
  public static final ResponseTapFactory READING_USAGE = new ResponseTapFactory() {
    @Override
    public ResponseTap create(RequestFacts facts, Budget budget, boolean stripUsage) {
      return forResponse(facts.api(), facts.stream(), stripUsage, false);
    }

    @Override
    public ResponseTap create(RequestFacts facts, Budget budget, boolean stripUsage, boolean countCompletion) {
      return forResponse(facts.api(), facts.stream(), stripUsage, countCompletion);
    }
  };

  private ResponseTaps() {
  }

  /**
   * @param stream               the request asked for a stream (an SSE response)
   * @param injectedIncludeUsage Sluice rewrote the body to ask for {@code include_usage} (the client did not)
   */
  public static ResponseTap forResponse(boolean stream, boolean injectedIncludeUsage) {
    return forResponse(stream, injectedIncludeUsage, false);
  }

  /**
   * The tap for an answer of {@code api}: chat and completions as below; the Responses and Messages APIs read their
   * {@code input_tokens} and {@code output_tokens} (their streams always end with usage: nothing is stripped); the
   * tokenizer endpoints' answers carry no usage and are not read.
   */
  public static ResponseTap forResponse(Api api, boolean stream, boolean injectedIncludeUsage,
      boolean countCompletion) {
    switch (api) {
      case CHAT, COMPLETIONS -> {
        return forResponse(stream, injectedIncludeUsage, countCompletion);
      }
      case TOKENIZE, DETOKENIZE -> {
        return ResponseTap.NONE;
      }
      default -> {
        byte[] completion = countCompletion ? UsageNumberScanner.key(api.outputKey()) : null;
        return stream ? SseUsageTap.passThrough(UsageNumberScanner.key(api.promptKey()), completion)
            : new JsonUsageTap(completion);
      }
    }
  }

  /** The same for chat and completions; {@code countCompletion}: read {@code usage.completion_tokens} as well. */
  public static ResponseTap forResponse(boolean stream, boolean injectedIncludeUsage, boolean countCompletion) {
    if (!stream) {
      return new JsonUsageTap(countCompletion);
    }
    return injectedIncludeUsage ? SseUsageTap.stripping() : SseUsageTap.passThrough(countCompletion);
  }
}
