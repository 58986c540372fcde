package dev.sluice.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The bytes the mock sends, laid out as vLLM's OpenAI server lays them out. Fixed pieces are encoded once;
 * a response is the concatenation of those pieces and a few numbers, with no JSON tree.
 *
 * <p>Streaming chat ({@code POST /v1/chat/completions}, {@code stream: true}), one SSE event per line pair:
 * <pre>
 * data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":T,"model":"M","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}
 * data: {"id":"chatcmpl-1",...,"choices":[{"index":0,"delta":{"content":" the"},"logprobs":null,"finish_reason":null}]}
 * data: {"id":"chatcmpl-1",...,"choices":[{"index":0,"delta":{"content":" fox"},"logprobs":null,"finish_reason":"length","stop_reason":null}]}
 * data: {"id":"chatcmpl-1",...,"choices":[],"usage":{"prompt_tokens":P,"total_tokens":P+C,"completion_tokens":C}}
 * data: [DONE]
 * </pre>
 * The role chunk goes out with the first token; the last token's chunk carries the finish reason; the usage
 * chunk is sent only when {@code stream_options.include_usage} is on. Ordinary chunks have no {@code usage}
 * key (vLLM serializes them with {@code exclude_unset}); with {@code continuous_usage_stats} each carries the
 * usage so far, and with {@code --usage-null-chunks true} each ends with {@code "usage":null} (OpenAI's rule
 * and vLLM's up to 0.6). Completions stream the same way with {@code "text"} choices and no role chunk.
 *
 * <p>A failure after the response started is one error event, then {@code [DONE]}:
 * <pre>
 * data: {"error": {"message": "Internal server error", "type": "InternalServerError", "param": null, "code": 500}}
 * data: [DONE]
 * </pre>
 * written by {@code json.dumps}, hence the spaces after the separators.
 */
final class Wire {

  /** Deterministic filler: token i of every response is {@code WORDS[i % WORDS.length]}. */
  static final String[] WORDS = {
      " the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", " and", " runs", " far",
      " into", " green", " hills", ".",
  };

  static final byte[] DONE = bytes("data: [DONE]\n\n");
  static final byte[] SSE_DATA = bytes("data: ");
  static final byte[] SSE_END = bytes("\n\n");
  static final byte[] CHAT_ID = bytes("{\"id\":\"chatcmpl-");
  static final byte[] CMPL_ID = bytes("{\"id\":\"cmpl-");
  static final byte[] OBJ_CHUNK = bytes("\",\"object\":\"chat.completion.chunk\",\"created\":");
  static final byte[] OBJ_CHAT = bytes("\",\"object\":\"chat.completion\",\"created\":");
  static final byte[] OBJ_TEXT = bytes("\",\"object\":\"text_completion\",\"created\":");
  static final byte[] MODEL = bytes(",\"model\":");
  static final byte[] CHOICES_OPEN = bytes(",\"choices\":[{\"index\":0,");
  static final byte[] ROLE_DELTA = bytes("\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
      + "\"finish_reason\":null}]");
  static final byte[] CONTENT_DELTA = bytes("\"delta\":{\"content\":\"");
  static final byte[] TEXT_OPEN = bytes("\"text\":\"");
  static final byte[] CHAT_MID_TAIL = bytes("\"},\"logprobs\":null,\"finish_reason\":null}]");
  static final byte[] TEXT_MID_TAIL = bytes("\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]");
  static final byte[] CHAT_LAST_OPEN = bytes("\"},\"logprobs\":null,\"finish_reason\":\"");
  static final byte[] TEXT_LAST_OPEN = bytes("\",\"logprobs\":null,\"finish_reason\":\"");
  static final byte[] LAST_CLOSE = bytes("\",\"stop_reason\":null}]");
  static final byte[] USAGE_NULL = bytes(",\"usage\":null");
  static final byte[] USAGE_OPEN = bytes(",\"usage\":{\"prompt_tokens\":");
  static final byte[] OBJ_CLOSE = bytes("}");
  static final byte[] EMPTY_CHOICES_USAGE = bytes(",\"choices\":[],\"usage\":{\"prompt_tokens\":");
  static final byte[] TOTAL = bytes(",\"total_tokens\":");
  static final byte[] COMPLETION = bytes(",\"completion_tokens\":");
  static final byte[] USAGE_CLOSE = bytes("}}");
  static final byte[] MESSAGE_OPEN = bytes("\"message\":{\"role\":\"assistant\",\"content\":\"");
  static final byte[] MESSAGE_CLOSE = bytes("\",\"refusal\":null,\"annotations\":null,\"audio\":null,"
      + "\"function_call\":null,\"tool_calls\":[],\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":\"");
  static final byte[] TEXT_CLOSE = bytes("\",\"logprobs\":null,\"finish_reason\":\"");
  static final byte[] CHAT_FULL_STOP = bytes("\",\"stop_reason\":null}],\"service_tier\":null,"
      + "\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":");
  static final byte[] TEXT_FULL_STOP = bytes("\",\"stop_reason\":null,\"prompt_logprobs\":null}],"
      + "\"service_tier\":null,\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":");
  static final byte[] CHAT_FULL_END = bytes(",\"prompt_tokens_details\":null},\"prompt_logprobs\":null,"
      + "\"kv_transfer_params\":null}");
  static final byte[] TEXT_FULL_END = bytes(",\"prompt_tokens_details\":null},\"kv_transfer_params\":null}");

  private static final byte[][] WORD_BYTES = new byte[WORDS.length][];
  private static final int CYCLE_BYTES;
  private static final byte[] CYCLE;

  static {
    StringBuilder cycle = new StringBuilder();
    for (int i = 0; i < WORDS.length; i++) {
      WORD_BYTES[i] = bytes(WORDS[i]);
      cycle.append(WORDS[i]);
    }
    CYCLE = bytes(cycle.toString());
    CYCLE_BYTES = CYCLE.length;
  }

  private Wire() {
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The model name as a JSON string literal, quotes included. */
  static byte[] jsonString(String s) {
    return bytes(Json.encode(s));
  }

  /** Text of the first {@code n} filler tokens. */
  static String fillerText(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(WORDS[i % WORDS.length]);
    }
    return b.toString();
  }

  static void appendFiller(Buffer out, int tokens) {
    int full = tokens / WORDS.length;
    for (int i = 0; i < full; i++) {
      out.appendBytes(CYCLE, 0, CYCLE_BYTES);
    }
    for (int i = 0; i < tokens % WORDS.length; i++) {
      out.appendBytes(WORD_BYTES[i]);
    }
  }

  static byte[] word(int index) {
    return WORD_BYTES[index % WORDS.length];
  }

  /** Appends a non-negative decimal without allocating. */
  static Buffer appendLong(Buffer out, long v) {
    if (v == 0) {
      return out.appendByte((byte) '0');
    }
    long div = 1;
    while (v / div >= 10) {
      div *= 10;
    }
    while (div > 0) {
      out.appendByte((byte) ('0' + (v / div) % 10));
      div /= 10;
    }
    return out;
  }

  /** {@code {"id":"chatcmpl-N","object":...,"created":T,"model":"M"} up to (not including) the choices. */
  static void appendHeader(Buffer out, boolean chat, boolean chunk, long id, long created, byte[] model) {
    out.appendBytes(chat ? CHAT_ID : CMPL_ID);
    appendLong(out, id);
    out.appendBytes(chat ? (chunk ? OBJ_CHUNK : OBJ_CHAT) : OBJ_TEXT);
    appendLong(out, created);
    out.appendBytes(MODEL).appendBytes(model);
  }

  static void appendUsageNumbers(Buffer out, int prompt, int completion) {
    appendLong(out, prompt);
    out.appendBytes(TOTAL);
    appendLong(out, (long) prompt + completion);
    out.appendBytes(COMPLETION);
    appendLong(out, completion);
  }

  /** What an ordinary chunk says about usage. */
  enum ChunkUsage {
    /** No {@code usage} key (current vLLM). */
    NONE,
    /** {@code "usage":null} (OpenAI, vLLM up to 0.6, with include_usage). */
    NULL,
    /** The usage so far ({@code continuous_usage_stats}). */
    SO_FAR
  }

  /** The chat role chunk, sent once before the first content chunk. */
  static Buffer roleChunk(long id, long created, byte[] model, ChunkUsage usage, int prompt) {
    Buffer out = Buffer.buffer(256).appendBytes(SSE_DATA);
    appendHeader(out, true, true, id, created, model);
    out.appendBytes(CHOICES_OPEN).appendBytes(ROLE_DELTA);
    appendChunkUsage(out, usage, prompt, 0);
    return out.appendBytes(OBJ_CLOSE).appendBytes(SSE_END);
  }

  /** One token's chunk; {@code finishReason} non-null on the last one. */
  static Buffer tokenChunk(boolean chat, long id, long created, byte[] model, int index, String finishReason,
      ChunkUsage usage, int prompt) {
    Buffer out = Buffer.buffer(256).appendBytes(SSE_DATA);
    appendHeader(out, chat, true, id, created, model);
    out.appendBytes(CHOICES_OPEN).appendBytes(chat ? CONTENT_DELTA : TEXT_OPEN).appendBytes(word(index));
    if (finishReason == null) {
      out.appendBytes(chat ? CHAT_MID_TAIL : TEXT_MID_TAIL);
    } else {
      out.appendBytes(chat ? CHAT_LAST_OPEN : TEXT_LAST_OPEN).appendString(finishReason).appendBytes(LAST_CLOSE);
    }
    appendChunkUsage(out, usage, prompt, index + 1);
    return out.appendBytes(OBJ_CLOSE).appendBytes(SSE_END);
  }

  private static void appendChunkUsage(Buffer out, ChunkUsage usage, int prompt, int completion) {
    switch (usage) {
      case NULL -> out.appendBytes(USAGE_NULL);
      case SO_FAR -> {
        out.appendBytes(USAGE_OPEN);
        appendUsageNumbers(out, prompt, completion);
        out.appendBytes(OBJ_CLOSE);
      }
      default -> {
      }
    }
  }

  /** vLLM's error event for a failure after the stream started, then {@code [DONE]}. */
  static Buffer errorEventAndDone(String message, String type, int code) {
    return Buffer.buffer(256).appendBytes(SSE_DATA).appendString("{\"error\": {\"message\": ")
        .appendString(Json.encode(message)).appendString(", \"type\": ").appendString(Json.encode(type))
        .appendString(", \"param\": null, \"code\": ").appendString(Integer.toString(code)).appendString("}}")
        .appendBytes(SSE_END).appendBytes(DONE);
  }

  /** The include_usage chunk, then {@code data: [DONE]}. */
  static Buffer usageChunkAndDone(boolean chat, long id, long created, byte[] model, int prompt, int completion) {
    Buffer out = Buffer.buffer(256).appendBytes(SSE_DATA);
    appendHeader(out, chat, true, id, created, model);
    out.appendBytes(EMPTY_CHOICES_USAGE);
    appendUsageNumbers(out, prompt, completion);
    return out.appendBytes(USAGE_CLOSE).appendBytes(SSE_END).appendBytes(DONE);
  }

  /** A whole non-streaming response. */
  static Buffer fullResponse(boolean chat, long id, long created, byte[] model, int prompt, int completion,
      String finishReason) {
    Buffer out = Buffer.buffer(400 + completion * 7);
    appendHeader(out, chat, false, id, created, model);
    out.appendBytes(CHOICES_OPEN).appendBytes(chat ? MESSAGE_OPEN : TEXT_OPEN);
    appendFiller(out, completion);
    out.appendBytes(chat ? MESSAGE_CLOSE : TEXT_CLOSE).appendString(finishReason)
        .appendBytes(chat ? CHAT_FULL_STOP : TEXT_FULL_STOP);
    appendUsageNumbers(out, prompt, completion);
    return out.appendBytes(chat ? CHAT_FULL_END : TEXT_FULL_END);
  }

  /** vLLM's error body: {"error":{"message","type","param","code"}}. */
  static Buffer error(String message, String type, String param, int code) {
    JsonObject err = new JsonObject().put("message", message).put("type", type).put("param", param).put("code", code);
    return new JsonObject().put("error", err).toBuffer();
  }
}
