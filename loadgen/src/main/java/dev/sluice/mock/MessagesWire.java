package dev.sluice.mock;

import static dev.sluice.mock.Wire.appendLong;
import static dev.sluice.mock.Wire.bytes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The bytes of vLLM's Anthropic Messages API ({@code POST /v1/messages}), as
 * {@code vllm/frontend/entrypoints/anthropic/serving.py} converts its chat completion and the router writes it:
 * the whole message with {@code exclude_none} (so no {@code stop_sequence} key when it is null), and a stream of
 * {@code event: <type>\ndata: <json>\n\n} events with {@code exclude_unset}, no {@code ping} and no {@code [DONE]}:
 * <pre>
 * message_start         {"type":"message_start","message":{"id":...,"content":[],...,"usage":{"input_tokens":P,"output_tokens":0}}}
 * content_block_start   {"type":"content_block_start","content_block":{"type":"text","text":""},"index":0}
 * content_block_delta   {"type":"content_block_delta","delta":{"type":"text_delta","text":" the"},"index":0}   one per token
 * content_block_stop    {"type":"content_block_stop","index":0}
 * message_delta         {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"input_tokens":P,"output_tokens":C}}
 * message_stop          {"type":"message_stop"}
 * </pre>
 * vLLM builds {@code message_start} from the chat stream's first chunk, which goes out with the first token, and
 * the closing events from the usage chunk. The id is the chat completion's ({@code chatcmpl-...}).
 */
final class MessagesWire {

  private static final byte[] START = bytes("event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
      + "{\"id\":\"chatcmpl-");
  private static final byte[] START_MODEL = bytes("\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
      + "\"model\":");
  private static final byte[] START_USAGE = bytes(",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
      + "{\"input_tokens\":");
  private static final byte[] START_END = bytes(",\"output_tokens\":0}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"content_block\":{\"type\":\"text\","
      + "\"text\":\"\"},\"index\":0}\n\n");
  private static final byte[] DELTA = bytes("event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
      + "\"delta\":{\"type\":\"text_delta\",\"text\":\"");
  private static final byte[] DELTA_END = bytes("\"},\"index\":0}\n\n");
  private static final byte[] STOP = bytes("event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
      + "\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"");
  private static final byte[] STOP_USAGE = bytes("\"},\"usage\":{\"input_tokens\":");
  private static final byte[] OUTPUT = bytes(",\"output_tokens\":");
  private static final byte[] STOP_END = bytes("}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  private static final byte[] FULL = bytes("{\"id\":\"chatcmpl-");
  private static final byte[] FULL_CONTENT = bytes("\",\"type\":\"message\",\"role\":\"assistant\",\"content\":"
      + "[{\"type\":\"text\",\"text\":\"");
  private static final byte[] FULL_MODEL = bytes("\"}],\"model\":");
  private static final byte[] FULL_STOP = bytes(",\"stop_reason\":\"");
  private static final byte[] FULL_USAGE = bytes("\",\"usage\":{\"input_tokens\":");

  private MessagesWire() {
  }

  /** Anthropic's stop reason for a chat finish reason ({@code stop_reason_map}). */
  static String stopReason(String finishReason) {
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls" -> "tool_use";
      default -> "end_turn";
    };
  }

  /** {@code message_start} and {@code content_block_start}, then the first token's delta. */
  static Buffer first(long id, byte[] model, int prompt) {
    Buffer out = Buffer.buffer(512).appendBytes(START);
    appendLong(out, id).appendBytes(START_MODEL).appendBytes(model).appendBytes(START_USAGE);
    appendLong(out, prompt).appendBytes(START_END);
    return appendDelta(out, 0);
  }

  /** Token {@code index}'s {@code content_block_delta}. */
  static Buffer appendDelta(Buffer out, int index) {
    return out.appendBytes(DELTA).appendBytes(Wire.word(index)).appendBytes(DELTA_END);
  }

  /** {@code content_block_stop}, {@code message_delta} with the stop reason and the usage, {@code message_stop}. */
  static Buffer close(String stopReason, int prompt, int output) {
    Buffer out = Buffer.buffer(320).appendBytes(STOP).appendString(stopReason).appendBytes(STOP_USAGE);
    appendLong(out, prompt).appendBytes(OUTPUT);
    return appendLong(out, output).appendBytes(STOP_END);
  }

  /** The whole message. */
  static Buffer message(long id, byte[] model, String stopReason, int prompt, int output) {
    Buffer out = Buffer.buffer(300 + output * 7).appendBytes(FULL);
    appendLong(out, id).appendBytes(FULL_CONTENT);
    Wire.appendFiller(out, output);
    out.appendBytes(FULL_MODEL).appendBytes(model).appendBytes(FULL_STOP).appendString(stopReason)
        .appendBytes(FULL_USAGE);
    appendLong(out, prompt).appendBytes(OUTPUT);
    return appendLong(out, output).appendString("}}");
  }

  /**
   * vLLM's translation of an OpenAI error for this API ({@code translate_error_response}): Anthropic's shape,
   * {@code {"type":"error","error":{"type":...,"message":...}}}, the status unchanged.
   */
  static Buffer error(String type, String message) {
    return new JsonObject().put("type", "error").put("error", new JsonObject().put("type", type)
        .put("message", message)).toBuffer();
  }
}
