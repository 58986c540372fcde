package dev.sluice.dispatcher.exact;

import dev.sluice.dispatcher.scan.RequestFacts;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

/**
 * The body of vLLM's {@code POST /tokenize} for a request: {@code {"model":M,"messages":...}} for chat,
 * {@code {"model":M,"prompt":"..."}} for completions, the prompt carrier copied byte for byte out of the
 * client's body (its offsets come from the scanner). vLLM renders chat through the same template as
 * {@code /v1/chat/completions} (with the generation prompt by default), so its {@code count} is the
 * request's {@code usage.prompt_tokens}. Other fields are left out: vLLM would ignore them with a warning.
 */
public final class TokenizeBody {
  private static final Buffer MODEL = Buffer.buffer("\"model\":");
  private static final Buffer MESSAGES = Buffer.buffer("\"messages\":");
  private static final Buffer PROMPT = Buffer.buffer("\"prompt\":");

  private TokenizeBody() {
  }

  /**
   * The tokenize body, or null when the request cannot be counted that way: a completions prompt that is
   * not one string ({@code /tokenize} takes one), or a body without a located prompt. A request with messages
   * is a chat request.
   */
  public static Buffer of(Buffer body, RequestFacts facts) {
    boolean chat = facts.messages() > 0;
    int from = facts.promptFrom();
    int end = facts.promptEnd();
    if (from < 0 || end <= from || end > body.length()) {
      return null;
    }
    int start = from;
    while (start < end && isSeparator(body.getByte(start))) {
      start++;
    }
    byte first = start < end ? body.getByte(start) : 0;
    if (chat ? first != '[' : first != '"') {
      return null;
    }
    Buffer out = Buffer.buffer(end - start + 64).appendByte((byte) '{');
    if (facts.model() != null) {
      // without a model, vLLM counts with the one it serves
      out.appendBuffer(MODEL).appendString(Json.encode(facts.model())).appendByte((byte) ',');
    }
    return out.appendBuffer(chat ? MESSAGES : PROMPT)
        .appendBuffer(body, start, end - start)
        .appendByte((byte) '}');
  }

  private static boolean isSeparator(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == ':';
  }
}
