package dev.sluice.mock;

import static dev.sluice.mock.Wire.appendLong;
import static dev.sluice.mock.Wire.bytes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

/**
 * The bytes of vLLM's Responses API ({@code POST /v1/responses}), laid out as vLLM serializes its models:
 * {@code ResponsesResponse} ({@code vllm/frontend/entrypoints/openai/responses/protocol.py}, every field, nulls kept)
 * and the openai-python event types it streams ({@code vllm/frontend/entrypoints/openai/responses/serving.py},
 * {@code streaming_events.py}), each event framed {@code event: <type>\ndata: <json>\n\n} by the router
 * ({@code api_router.py}), with no {@code [DONE]}. The parts of one response that do not change between its events
 * are encoded once per request ({@link Frame}); each event is those parts, a few numbers and the filler text.
 *
 * <p>A plain-text stream, {@code sequence_number} counting every event from 0:
 * <pre>
 * response.created, response.in_progress     the response, "status":"in_progress", "output":[], "usage":null
 * response.output_item.added                 the message item, "status":"in_progress", "content":[]
 * response.content_part.added                an empty output_text part
 * response.output_text.delta                 one per token
 * response.output_text.done, response.content_part.done, response.output_item.done    the whole text
 * response.completed                         the response with its output and "usage"
 * </pre>
 * The usage is only in the last event. Its type is {@code response.completed} whatever the status
 * ({@code "incomplete"} when the output stopped at its length).
 */
final class ResponsesWire {

  private static final byte[] CREATED = bytes("event: response.created\ndata: {\"response\":");
  private static final byte[] IN_PROGRESS = bytes("event: response.in_progress\ndata: {\"response\":");
  private static final byte[] COMPLETED = bytes("event: response.completed\ndata: {\"response\":");
  private static final byte[] SEQUENCE = bytes(",\"sequence_number\":");
  private static final byte[] CREATED_END = bytes(",\"type\":\"response.created\"}\n\n");
  private static final byte[] IN_PROGRESS_END = bytes(",\"type\":\"response.in_progress\"}\n\n");
  private static final byte[] COMPLETED_END = bytes(",\"type\":\"response.completed\"}\n\n");
  private static final byte[] ITEM_ADDED = bytes("event: response.output_item.added\ndata: {\"item\":{\"id\":");
  private static final byte[] ITEM_ADDED_END = bytes(",\"content\":[],\"role\":\"assistant\",\"status\":\"in_progress\","
      + "\"type\":\"message\"},\"output_index\":0,\"sequence_number\":");
  private static final byte[] ITEM_ADDED_TYPE = bytes(",\"type\":\"response.output_item.added\"}\n\n");
  private static final byte[] PART_ADDED = bytes("event: response.content_part.added\ndata: {\"content_index\":0,"
      + "\"item_id\":");
  private static final byte[] PART_ADDED_END = bytes(",\"output_index\":0,\"part\":{\"annotations\":[],\"text\":\"\","
      + "\"type\":\"output_text\",\"logprobs\":[]},\"sequence_number\":");
  private static final byte[] PART_ADDED_TYPE = bytes(",\"type\":\"response.content_part.added\"}\n\n");
  private static final byte[] DELTA = bytes("event: response.output_text.delta\ndata: {\"content_index\":0,\"delta\":\"");
  private static final byte[] DELTA_ITEM = bytes("\",\"item_id\":");
  private static final byte[] DELTA_END = bytes(",\"logprobs\":[],\"output_index\":0,\"sequence_number\":");
  private static final byte[] DELTA_TYPE = bytes(",\"type\":\"response.output_text.delta\"}\n\n");
  private static final byte[] TEXT_DONE = bytes("event: response.output_text.done\ndata: {\"content_index\":0,"
      + "\"item_id\":");
  private static final byte[] TEXT_DONE_MID = bytes(",\"logprobs\":[],\"output_index\":0,\"sequence_number\":");
  private static final byte[] TEXT_DONE_TEXT = bytes(",\"text\":\"");
  private static final byte[] TEXT_DONE_TYPE = bytes("\",\"type\":\"response.output_text.done\"}\n\n");
  private static final byte[] PART_DONE = bytes("event: response.content_part.done\ndata: {\"content_index\":0,"
      + "\"item_id\":");
  private static final byte[] PART_DONE_MID = bytes(",\"output_index\":0,\"part\":");
  private static final byte[] PART_DONE_TYPE = bytes(",\"type\":\"response.content_part.done\"}\n\n");
  private static final byte[] ITEM_DONE = bytes("event: response.output_item.done\ndata: {\"item\":");
  private static final byte[] ITEM_DONE_MID = bytes(",\"output_index\":0,\"sequence_number\":");
  private static final byte[] ITEM_DONE_TYPE = bytes(",\"type\":\"response.output_item.done\"}\n\n");
  private static final byte[] PART_OPEN = bytes("{\"annotations\":[],\"text\":\"");
  private static final byte[] PART_CLOSE = bytes("\",\"type\":\"output_text\",\"logprobs\":null}");
  private static final byte[] MESSAGE_OPEN = bytes("{\"id\":");
  private static final byte[] MESSAGE_CONTENT = bytes(",\"content\":[");
  private static final byte[] MESSAGE_CLOSE = bytes("],\"role\":\"assistant\",\"status\":\"completed\",\"type\":\"message\"}");
  private static final byte[] INCOMPLETE = bytes("{\"reason\":\"max_output_tokens\"}");
  private static final byte[] NULL = bytes("null");
  private static final byte[] USAGE_INPUT = bytes("{\"input_tokens\":");
  private static final byte[] USAGE_CACHED = bytes(",\"input_tokens_details\":{\"cached_tokens\":");
  private static final byte[] USAGE_OUTPUT = bytes(",\"input_tokens_per_turn\":[],\"cached_tokens_per_turn\":[]},"
      + "\"output_tokens\":");
  private static final byte[] USAGE_TOTAL = bytes(",\"output_tokens_details\":{\"reasoning_tokens\":0,"
      + "\"tool_output_tokens\":0,\"output_tokens_per_turn\":[],\"tool_output_tokens_per_turn\":[]},\"total_tokens\":");

  private ResponsesWire() {
  }

  /**
   * The parts of one Response object that stay the same in every event that carries it.
   *
   * @param head     {@code {"id":...,"created_at":T,"incomplete_details":}
   * @param middle   {@code ,"instructions":...,"object":"response","output":}
   * @param settings {@code ,"parallel_tool_calls":...,"status":"}
   * @param afterStatus {@code ","text":...,"usage":}
   * @param end      {@code ,"user":...,"output_messages":null}}
   */
  record Frame(byte[] head, byte[] middle, byte[] settings, byte[] afterStatus, byte[] end) {
  }

  /**
   * Encodes the echoed request fields once. Each argument is a JSON literal (already encoded), as
   * {@code ResponsesResponse.from_request} copies it.
   */
  static Frame frame(String id, long createdAt, String instructions, String metadata, String model, String toolChoice,
      String tools, String temperature, String topP, int maxOutputTokens, String previousResponseId, String text,
      String truncation, String user) {
    byte[] head = bytes("{\"id\":" + Json.encode(id) + ",\"created_at\":" + createdAt + ",\"incomplete_details\":");
    byte[] middle = bytes(",\"instructions\":" + instructions + ",\"metadata\":" + metadata + ",\"model\":" + model
        + ",\"object\":\"response\",\"output\":");
    byte[] settings = bytes(",\"parallel_tool_calls\":true,\"temperature\":" + temperature + ",\"tool_choice\":"
        + toolChoice + ",\"tools\":" + tools + ",\"top_p\":" + topP + ",\"background\":false,\"max_output_tokens\":"
        + maxOutputTokens + ",\"max_tool_calls\":null,\"previous_response_id\":" + previousResponseId
        + ",\"prompt\":null,\"reasoning\":null,\"service_tier\":\"auto\",\"status\":\"");
    byte[] afterStatus = bytes("\",\"text\":" + text + ",\"top_logprobs\":null,\"truncation\":" + truncation
        + ",\"usage\":");
    byte[] end = bytes(",\"user\":" + user + ",\"presence_penalty\":0.0,\"frequency_penalty\":0.0,"
        + "\"kv_transfer_params\":null,\"ec_transfer_params\":null,\"input_messages\":null,\"output_messages\":null}");
    return new Frame(head, middle, settings, afterStatus, end);
  }

  /**
   * The Response object: {@code output} is the message item's bytes or null for {@code []}, {@code usage} null
   * for {@code "usage":null}.
   */
  static void appendResponse(Buffer out, Frame f, String status, Buffer output, Buffer usage) {
    out.appendBytes(f.head()).appendBytes(status.equals("incomplete") ? INCOMPLETE : NULL).appendBytes(f.middle());
    out.appendByte((byte) '[');
    if (output != null) {
      out.appendBuffer(output);
    }
    out.appendByte((byte) ']').appendBytes(f.settings()).appendString(status).appendBytes(f.afterStatus());
    if (usage == null) {
      out.appendBytes(NULL);
    } else {
      out.appendBuffer(usage);
    }
    out.appendBytes(f.end());
  }

  /** {@code "usage"}: vLLM's plain-text responses leave the per-turn lists empty. */
  static Buffer usage(int input, int cached, int output) {
    Buffer out = Buffer.buffer(320).appendBytes(USAGE_INPUT);
    appendLong(out, input).appendBytes(USAGE_CACHED);
    appendLong(out, cached).appendBytes(USAGE_OUTPUT);
    appendLong(out, output).appendBytes(USAGE_TOTAL);
    return appendLong(out, (long) input + output).appendByte((byte) '}');
  }

  /** The completed message item holding {@code tokens} filler tokens ({@code "content":[]} when there are none). */
  static Buffer message(String itemId, int tokens) {
    Buffer out = Buffer.buffer(200 + tokens * 7).appendBytes(MESSAGE_OPEN).appendString(Json.encode(itemId))
        .appendBytes(MESSAGE_CONTENT);
    if (tokens > 0) {
      appendPart(out, tokens);
    }
    return out.appendBytes(MESSAGE_CLOSE);
  }

  private static void appendPart(Buffer out, int tokens) {
    out.appendBytes(PART_OPEN);
    Wire.appendFiller(out, tokens);
    out.appendBytes(PART_CLOSE);
  }

  /** {@code response.created} then {@code response.in_progress}: sequence numbers 0 and 1. */
  static Buffer opening(Frame f) {
    Buffer response = Buffer.buffer(1200);
    appendResponse(response, f, "in_progress", null, null);
    Buffer out = Buffer.buffer(2 * response.length() + 200).appendBytes(CREATED).appendBuffer(response)
        .appendBytes(SEQUENCE);
    appendLong(out, 0).appendBytes(CREATED_END).appendBytes(IN_PROGRESS).appendBuffer(response).appendBytes(SEQUENCE);
    return appendLong(out, 1).appendBytes(IN_PROGRESS_END);
  }

  /** {@code response.output_item.added} and {@code response.content_part.added}, numbered from {@code seq}. */
  static void appendItemOpened(Buffer out, byte[] itemIdJson, long seq) {
    out.appendBytes(ITEM_ADDED).appendBytes(itemIdJson).appendBytes(ITEM_ADDED_END);
    appendLong(out, seq).appendBytes(ITEM_ADDED_TYPE).appendBytes(PART_ADDED).appendBytes(itemIdJson)
        .appendBytes(PART_ADDED_END);
    appendLong(out, seq + 1).appendBytes(PART_ADDED_TYPE);
  }

  /** One {@code response.output_text.delta}: token {@code index}'s filler word. */
  static void appendDelta(Buffer out, byte[] itemIdJson, int index, long seq) {
    out.appendBytes(DELTA).appendBytes(Wire.word(index)).appendBytes(DELTA_ITEM).appendBytes(itemIdJson)
        .appendBytes(DELTA_END);
    appendLong(out, seq).appendBytes(DELTA_TYPE);
  }

  /**
   * The stream's close: the text, part and item done events, then {@code response.completed} with
   * {@code response} (the whole object, usage included), numbered from {@code seq}.
   */
  static void appendClose(Buffer out, byte[] itemIdJson, int tokens, long seq, Buffer response) {
    out.appendBytes(TEXT_DONE).appendBytes(itemIdJson).appendBytes(TEXT_DONE_MID);
    appendLong(out, seq).appendBytes(TEXT_DONE_TEXT);
    Wire.appendFiller(out, tokens);
    out.appendBytes(TEXT_DONE_TYPE).appendBytes(PART_DONE).appendBytes(itemIdJson).appendBytes(PART_DONE_MID);
    appendPart(out, tokens);
    out.appendBytes(SEQUENCE);
    appendLong(out, seq + 1).appendBytes(PART_DONE_TYPE).appendBytes(ITEM_DONE).appendBytes(MESSAGE_OPEN)
        .appendBytes(itemIdJson).appendBytes(MESSAGE_CONTENT);
    appendPart(out, tokens);
    out.appendBytes(MESSAGE_CLOSE).appendBytes(ITEM_DONE_MID);
    appendLong(out, seq + 2).appendBytes(ITEM_DONE_TYPE).appendBytes(COMPLETED).appendBuffer(response)
        .appendBytes(SEQUENCE);
    appendLong(out, seq + 3).appendBytes(COMPLETED_END);
  }
}
