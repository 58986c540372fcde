package dev.sluice.loadgen;

import dev.sluice.dispatcher.relay.UsageNumberScanner;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Reads one response of one {@link Api} as its chunks arrive, without building JSON: how many text events ended in
 * each chunk, the usage numbers, whether the stream reached its end, and whether it failed. Chunk boundaries may
 * fall anywhere. One scan per request and nothing allocated per byte; only a failure's body is kept (a few KiB at
 * most) and parsed, to name its error type.
 *
 * <p>Streams, by API:
 * <ul>
 *   <li>chat, completions: {@code data:} events; each counts as a text event (a chat stream's first carries the
 *       role) except {@code data: [DONE]}, the end; an event whose {@code choices} are empty (the usage at the
 *       end) and {@code data: {"error": ...}}, a failure after the stream started.</li>
 *   <li>responses: named events; {@code response.output_text.delta} is a text event, {@code response.completed}
 *       the end (also when the answer was cut at {@code max_output_tokens}), {@code error} and
 *       {@code response.failed} failures.</li>
 *   <li>messages: named events; {@code content_block_delta} is a text event, {@code message_stop} the end,
 *       {@code error} a failure.</li>
 * </ul>
 * Usage is the last value of {@code "prompt_tokens"} / {@code "completion_tokens"} (chat, completions, embeddings)
 * or {@code "input_tokens"} / {@code "output_tokens"} (responses, messages) anywhere in the body: a Messages stream
 * states the input in {@code message_start} and both in {@code message_delta}, a Responses stream only in
 * {@code response.completed}, a chat stream in its usage chunk. A non-streamed answer is only searched for usage.
 */
final class ResponseScan {

  /** The most of a failure's body kept to read its error type. */
  static final int MAX_ERROR_BYTES = 8192;

  private static final byte[] EVENT_FIELD = ascii("event");
  private static final byte[] DATA_FIELD = ascii("data");
  private static final byte[] DONE = ascii("[DONE]");
  private static final byte[] ERROR_PAYLOAD = ascii("{\"error\"");
  private static final String[] RESPONSES_NAMES = {"response.output_text.delta", "response.completed",
      "response.incomplete", "error", "response.failed"};
  private static final int[] RESPONSES_ROLES = {Role.TEXT, Role.END, Role.END, Role.ERROR, Role.ERROR};
  private static final String[] MESSAGES_NAMES = {"content_block_delta", "message_stop", "error"};
  private static final int[] MESSAGES_ROLES = {Role.TEXT, Role.END, Role.ERROR};
  private static final byte[][] RESPONSES_BYTES = ascii(RESPONSES_NAMES);
  private static final byte[][] MESSAGES_BYTES = ascii(MESSAGES_NAMES);
  private static final byte[] EMPTY_CHOICES = ascii("\"choices\" : [ ]");

  /** What an event means to the count. */
  private static final class Role {
    static final int OTHER = 0;
    static final int TEXT = 1;
    static final int END = 2;
    static final int ERROR = 3;
  }

  /** Where in an SSE line the scan is. */
  private static final class Line {
    static final int FIELD = 0;
    static final int EVENT = 1;
    static final int DATA = 2;
    static final int SKIP = 3;
  }

  private final boolean stream;
  /** The event names of a named-event API and what each means, or null for data-only streams. */
  private final byte[][] names;
  private final int[] roles;
  /** The usage keys' last values (the dispatcher's own reader of usage numbers, a byte at a time). */
  private final UsageNumberScanner input;
  private final UsageNumberScanner output;
  /** Data-only streams: an event whose choices are empty carries only the usage. */
  private final boolean seeksEmptyChoices;
  private int emptyChoices;

  private boolean failed;
  private boolean ended;
  /** A non-2xx answer: its body is kept, not scanned. */
  private boolean refused;
  private Buffer errorBody;

  // SSE framing: the current line and event
  private int line = Line.FIELD;
  private int fieldPos;
  private boolean eventField;
  private boolean dataField;
  private boolean valueStarted;
  private boolean lastWasNewline;
  private int nameMask;
  private int namePos;
  private int eventRole = Role.OTHER;
  private boolean eventHasData;
  /** How far a payload's opening was matched; -1 once it is known to be neither an end nor an error. */
  private int payloadPos;
  private boolean maybeDone = true;
  private boolean maybeError = true;
  private boolean payloadDone;
  private boolean payloadError;
  private boolean usageOnly;

  ResponseScan(Api api, boolean stream) {
    this.stream = stream;
    boolean openAiUsage = api == Api.CHAT || api == Api.COMPLETIONS || api == Api.EMBEDDINGS;
    this.input = new UsageNumberScanner(openAiUsage ? "prompt_tokens" : "input_tokens");
    this.output = api.generates() ? new UsageNumberScanner(openAiUsage ? "completion_tokens" : "output_tokens") : null;
    this.names = api == Api.RESPONSES ? RESPONSES_BYTES : api == Api.MESSAGES ? MESSAGES_BYTES : null;
    this.roles = api == Api.RESPONSES ? RESPONSES_ROLES : api == Api.MESSAGES ? MESSAGES_ROLES : null;
    this.seeksEmptyChoices = stream && names == null;
  }

  /** The response's status arrived: the body of a refusal is kept for {@link #errorType()}, not scanned. */
  void status(int code) {
    refused = code < 200 || code >= 300;
  }

  /** Feeds one chunk; returns how many text events ended in it (always 0 for a non-streamed answer). */
  int feed(Buffer chunk) {
    if (refused) {
      keep(chunk, 0, chunk.length());
      return 0;
    }
    int length = chunk.length();
    if (!stream) {
      for (int i = 0; i < length; i++) {
        usage(chunk.getByte(i));
      }
      return 0;
    }
    int events = 0;
    for (int i = 0; i < length; i++) {
      byte b = chunk.getByte(i);
      if (b == '\r') {
        continue;
      }
      if (b == '\n') {
        if (lastWasNewline) {
          events += endEvent();
          lastWasNewline = false;
        } else {
          endLine();
          lastWasNewline = true;
        }
        continue;
      }
      lastWasNewline = false;
      switch (line) {
        case Line.FIELD -> field(b);
        case Line.EVENT -> name(b);
        case Line.DATA -> payload(chunk, i, b);
        default -> {
        }
      }
    }
    return events;
  }

  /** Whether a stream's end event arrived ({@code [DONE]}, {@code response.completed}, {@code message_stop}). */
  boolean ended() {
    return ended;
  }

  /** Whether a streamed answer carried an error event. */
  boolean failed() {
    return failed;
  }

  /** Input tokens the answer's usage stated, or -1. */
  long inputTokens() {
    return input.value();
  }

  /** Output tokens the answer's usage stated, or -1 (always for embeddings, which generate none). */
  long outputTokens() {
    return output == null ? -1 : output.value();
  }

  /**
   * The error type a refusal's body or a failed stream's error event names: {@code error.type} in the OpenAI and
   * Anthropic shapes (else {@code error.code}), {@code response.error.code} of a failed response, {@code code} of a
   * Responses error event; null when the body is not JSON or names none.
   */
  String errorType() {
    if (errorBody == null || errorBody.length() == 0) {
      return null;
    }
    try {
      JsonObject body = new JsonObject(errorBody);
      Object nested = body.getValue("error");
      JsonObject response = body.getValue("response") instanceof JsonObject r ? r : null;
      JsonObject error = nested instanceof JsonObject e ? e
          : response != null && response.getValue("error") instanceof JsonObject e ? e : body;
      Object type = error.getValue("type");
      if (type instanceof String s && !s.equals("error")) {
        return s;
      }
      Object code = error.getValue("code");
      return code == null ? null : String.valueOf(code);
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  // ---- SSE lines ----------------------------------------------------------------------------------------------

  /** The field name of a line, up to its colon. */
  private void field(byte b) {
    if (b == ':') {
      line = eventField && fieldPos == EVENT_FIELD.length ? Line.EVENT
          : dataField && fieldPos == DATA_FIELD.length ? Line.DATA : Line.SKIP;
      valueStarted = false;
      if (line == Line.EVENT) {
        nameMask = names == null ? 0 : (1 << names.length) - 1;
        namePos = 0;
      }
      return;
    }
    eventField = (fieldPos == 0 || eventField) && fieldPos < EVENT_FIELD.length && EVENT_FIELD[fieldPos] == b;
    dataField = (fieldPos == 0 || dataField) && fieldPos < DATA_FIELD.length && DATA_FIELD[fieldPos] == b;
    fieldPos++;
  }

  /** The event's name, matched against the API's names as it arrives. */
  private void name(byte b) {
    if (!valueStarted) {
      valueStarted = true;
      if (b == ' ') {
        return;   // the one space after the colon is not part of the value
      }
    }
    for (int k = 0; k < roles.length && nameMask != 0; k++) {
      if ((nameMask & (1 << k)) != 0 && (namePos >= names[k].length || names[k][namePos] != b)) {
        nameMask &= ~(1 << k);
      }
    }
    namePos++;
  }

  private void payload(Buffer chunk, int i, byte b) {
    if (!valueStarted) {
      valueStarted = true;
      eventHasData = true;
      if (b == ' ') {
        return;   // the one space after the colon is not part of the value
      }
    }
    boolean errorEvent = eventRole == Role.ERROR;
    if (payloadPos >= 0) {
      payloadStart(b, !errorEvent);
    } else if (payloadError && !errorEvent) {
      keep(chunk, i, i + 1);
    }
    if (errorEvent) {
      keep(chunk, i, i + 1);   // a named error event: all of its data
    }
    usage(b);
    if (seeksEmptyChoices) {
      emptyChoices = match(EMPTY_CHOICES, emptyChoices, b);
      usageOnly |= emptyChoices == EMPTY_CHOICES.length;
    }
  }

  /**
   * Whether the payload opens with {@code [DONE]} or with an error object, which is how a data-only stream ends or
   * fails (and how any stream would carry an error that was not made into an event of its API).
   */
  private void payloadStart(byte b, boolean keepOpening) {
    maybeDone &= payloadPos < DONE.length && DONE[payloadPos] == b;
    maybeError &= payloadPos < ERROR_PAYLOAD.length && ERROR_PAYLOAD[payloadPos] == b;
    payloadPos++;
    if (maybeError && payloadPos == ERROR_PAYLOAD.length) {
      payloadError = true;
      payloadPos = -1;
      if (keepOpening) {
        errorBody().appendBytes(ERROR_PAYLOAD);
      }
    } else if (maybeDone && payloadPos == DONE.length) {
      payloadDone = true;
      payloadPos = -1;
    } else if (!maybeDone && !maybeError) {
      payloadPos = -1;
    }
  }

  private void endLine() {
    if (line == Line.EVENT && names != null) {
      eventRole = Role.OTHER;
      for (int k = 0; k < roles.length; k++) {
        if ((nameMask & (1 << k)) != 0 && names[k].length == namePos) {
          eventRole = roles[k];
        }
      }
    }
    line = Line.FIELD;
    fieldPos = 0;
    eventField = false;
    dataField = false;
  }

  /** A blank line ends the event: returns 1 when it was a text event. */
  private int endEvent() {
    endLine();
    int text = 0;
    if (payloadError) {
      failed = true;
    } else if (names != null) {
      switch (eventRole) {
        case Role.TEXT -> text = 1;
        case Role.END -> ended = true;
        case Role.ERROR -> failed = true;
        default -> {
        }
      }
    } else if (eventHasData) {
      if (payloadDone) {
        ended = true;
      } else if (!usageOnly) {
        text = 1;
      }
    }
    eventRole = Role.OTHER;
    eventHasData = false;
    payloadPos = 0;
    maybeDone = true;
    maybeError = true;
    payloadDone = false;
    payloadError = false;
    usageOnly = false;
    return text;
  }

  private void usage(byte b) {
    input.feed(b);
    if (output != null) {
      output.feed(b);
    }
  }

  /** Keeps bytes {@code [from, to)} of a failure's body, up to {@link #MAX_ERROR_BYTES}. */
  private void keep(Buffer chunk, int from, int to) {
    int n = Math.min(to - from, MAX_ERROR_BYTES - errorBody().length());
    if (n > 0) {
      errorBody.appendBuffer(chunk, from, n);
    }
  }

  private Buffer errorBody() {
    if (errorBody == null) {
      errorBody = Buffer.buffer(256);
    }
    return errorBody;
  }

  // ---- matching -----------------------------------------------------------------------------------------------

  /**
   * Advances a match of {@code pattern} anywhere in a stream by one byte: returns the new position, which is
   * {@code pattern.length} when the byte completes a match. A space in the pattern stands for any run of spaces, so
   * {@code "key" :} matches the compact {@code "key":} and the spaced {@code "key": }. A mismatch starts over at the
   * byte that broke it, which is exact for JSON keys: a key's opening quote never continues a partial match.
   */
  static int match(byte[] pattern, int pos, byte b) {
    int at = pos == pattern.length ? 0 : pos;
    while (true) {
      if (pattern[at] == ' ') {
        if (b == ' ') {
          return at;
        }
        at++;
        continue;
      }
      if (b == pattern[at]) {
        return at + 1;
      }
      if (at == 0) {
        return 0;
      }
      at = 0;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[][] ascii(String[] names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = ascii(names[i]);
    }
    return out;
  }
}
