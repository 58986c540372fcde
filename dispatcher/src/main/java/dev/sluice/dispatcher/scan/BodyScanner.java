package dev.sluice.dispatcher.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.base.ParserBase;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.balance.AffinityKey;
import dev.sluice.dispatcher.balance.RoutingConfig;
import java.io.IOException;
import java.nio.CharBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streaming scanner over a request body of one of the {@link Api}s, fed chunk by chunk as it arrives on the event
 * loop.
 * One instance per request; not thread-safe. Never builds a tree.
 *
 * <p>It runs Jackson's non-blocking parser over each chunk until the parser needs more input, and
 * follows only the paths it cares about; every other value is skipped token by token without asking
 * the parser for its text. Prompt strings are counted straight out of Jackson's text buffer (see
 * {@link TextCounter}), so no String is built for them and the scanner's own allocation does not grow
 * with the body. Jackson delivers a string token only once it is complete, so a long prompt string is
 * held in Jackson's text buffer (bounded by {@link ScanLimits#maxStringLength()}).
 *
 * <p>Always {@link #finish()} or {@link #close()} a scanner: that returns Jackson's buffers to its
 * per-thread recycler.
 */
public final class BodyScanner implements AutoCloseable {

  /** OpenAI's limit on the inputs of one embeddings request. */
  public static final int MAX_EMBEDDING_INPUTS = 2048;

  /**
   * Responses API input item types, as OpenAI's API reference lists them; anything else is refused here rather
   * than routed (an item without a type is a message).
   */
  private static final Set<String> ITEM_TYPES = Set.of("message", "function_call", "function_call_output",
      "reasoning", "item_reference", "file_search_call", "web_search_call", "computer_call", "computer_call_output",
      "image_generation_call", "code_interpreter_call", "local_shell_call", "local_shell_call_output",
      "mcp_list_tools", "mcp_approval_request", "mcp_approval_response", "mcp_call", "custom_tool_call",
      "custom_tool_call_output");

  /** Content part types that are text, not media, in any of the APIs. */
  private static final Set<String> TEXT_PARTS = Set.of("text", "input_text", "output_text", "refusal",
      "tool_use", "tool_result", "thinking", "redacted_thinking", "summary_text", "reasoning_text");

  private static final ConcurrentHashMap<ScanLimits, JsonFactory> FACTORIES = new ConcurrentHashMap<>();
  private static final int SCRATCH_BYTES = 16 * 1024;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

  // Where the parser is: the container the next token belongs to.
  private static final int BEFORE = 0;
  private static final int TOP = 1;
  private static final int MESSAGES = 2;
  private static final int MESSAGE = 3;
  private static final int PARTS = 4;
  private static final int PART = 5;
  private static final int STREAM_OPTIONS = 6;
  private static final int PROMPT = 7;
  private static final int MEDIA = 9;
  private static final int AFTER = 8;
  /** A Responses {@code input} array, an embeddings {@code input} array, or a detokenize {@code tokens} array. */
  private static final int INPUT = 10;
  /** An item of a Responses {@code input} array. */
  private static final int ITEM = 11;
  /** A row of token ids inside an embeddings {@code input} or a completions {@code prompt}. */
  private static final int TOKEN_ROW = 12;

  // The field whose value comes next, among the ones the scanner reads.
  private static final int F_OTHER = 0;
  private static final int F_MODEL = 1;
  private static final int F_STREAM = 2;
  private static final int F_STREAM_OPTIONS = 3;
  private static final int F_MAX_TOKENS = 4;
  private static final int F_MAX_COMPLETION_TOKENS = 5;
  private static final int F_N = 6;
  private static final int F_MESSAGES = 7;
  private static final int F_PROMPT = 8;
  private static final int F_TOOLS = 9;
  private static final int F_ROLE = 10;
  private static final int F_CONTENT = 11;
  private static final int F_TYPE = 12;
  private static final int F_TEXT = 13;
  private static final int F_INCLUDE_USAGE = 14;
  private static final int F_MEDIA = 15;
  private static final int F_URL = 16;
  private static final int F_CONTINUOUS_USAGE = 17;
  private static final int F_PROMPT_CACHE_KEY = 18;
  private static final int F_USER = 19;
  private static final int F_INSTRUCTIONS = 20;
  private static final int F_INPUT = 21;
  private static final int F_PREVIOUS_RESPONSE = 22;
  private static final int F_CONVERSATION = 23;
  private static final int F_SYSTEM = 24;
  private static final int F_TOKENS = 25;
  private static final int F_ITEM_TEXT = 26;

  private static final String[] ROLES = {"user", "assistant", "system", "tool", "developer", "function"};

  private final Api api;
  private final ScanLimits limits;
  private final JsonParser parser;
  private final ByteArrayFeeder feeder;
  private final TextCounter text = new TextCounter();
  /**
   * The conversation's opening, whose hash keys a request that names no conversation: where the prompt text lies
   * in the body up to the end of the first user message, at most the first prefix bytes of it.
   */
  private final Opening.Builder opening;
  /** {@code prompt_cache_key} and {@code user}, hashed one value at a time. */
  private final TextHash keyText = new TextHash();

  private int where = BEFORE;
  private int field = F_OTHER;
  private int skipDepth;
  private boolean closed;

  private String model;
  private boolean stream;
  /** {@code stream_options} is an object (the last one, when the key repeats). */
  private boolean streamOptionsObject;
  /** Its {@code include_usage} is JSON false or null: vLLM streams no usage. */
  private boolean includeUsageOff;
  /** Its {@code continuous_usage_stats} is anything but absent, false or null. */
  private boolean continuousUsage;
  private int maxTokens = -1;
  private int maxCompletionTokens = -1;
  private int n = 1;
  private int messages;
  private boolean hasImages;
  private boolean hasRemoteMedia;
  private boolean hasTools;
  private boolean hasPrompt;
  private int bodyEnd = -1;
  private int streamOptionsStart = -1;
  private int includeUsageValueStart = -1;
  private int includeUsageValueEnd = -1;
  private long promptCacheKey = AffinityKey.NONE;
  private long user = AffinityKey.NONE;
  private int promptFrom = -1;
  private int promptEnd = -1;
  private int modelStart = -1;
  private int modelEnd = -1;
  /** Token ids given as such (completions, embeddings, detokenize): counted exactly. */
  private int tokenIds;
  /** Entries of an embeddings {@code input} array. */
  private int inputs;
  private String previousResponseId;
  private boolean conversation;

  private boolean roleValid;
  private boolean userRole;
  private boolean partIsText;
  /** Where a content-part array returns to: a message, a Responses item, or the top ({@code system} blocks). */
  private int partsOwner = MESSAGE;
  /** The current Responses item's type, or null when it names none (a message). */
  private String itemType;

  /** A scanner that hashes the default {@link RoutingConfig#affinityPrefixBytes()} of prompt text. */
  public BodyScanner(Api api, ScanLimits limits) {
    this(api, limits, RoutingConfig.DEFAULTS.affinityPrefixBytes());
  }

  /** @param prefixBytes body bytes of prompt text noted as {@link RequestFacts#opening()} (0: none) */
  public BodyScanner(Api api, ScanLimits limits, int prefixBytes) {
    this.api = api;
    this.limits = limits;
    this.opening = new Opening.Builder(prefixBytes);
    try {
      this.parser = factoryFor(limits).createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a non-blocking JSON parser", e);
    }
    this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
  }

  /** The Jackson factory configured with these limits (one per distinct limits, shared). */
  static JsonFactory factoryFor(ScanLimits limits) {
    return FACTORIES.computeIfAbsent(limits, l -> JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(l.maxDepth())
            .maxNumberLength(l.maxNumberLength())
            // Jackson counts chars; a char is at least one UTF-8 byte, so this bound is never tighter.
            .maxStringLength(l.maxStringLength())
            .build())
        .build());
  }

  /** Feeds the next chunk. Throws {@link ScanException} on malformed JSON or a limit breach. */
  public void feed(Buffer chunk) {
    int len = chunk.length();
    if (len == 0) {
      return;
    }
    if (chunk instanceof BufferInternal internal) {
      ByteBuf buf = internal.unwrap();
      if (buf.hasArray()) {
        feed(buf.array(), buf.arrayOffset() + buf.readerIndex(), len);
        return;
      }
    }
    // Off-heap chunk: copy through a per-thread scratch array. The parser is drained before feed()
    // returns, so the array is free again for the next chunk or the next request on this thread.
    byte[] scratch = SCRATCH.get();
    for (int pos = 0; pos < len; pos += scratch.length) {
      int part = Math.min(scratch.length, len - pos);
      chunk.getBytes(pos, pos + part, scratch, 0);
      feed(scratch, 0, part);
    }
  }

  /** Feeds the next chunk from an array; the array is no longer referenced when this returns. */
  public void feed(byte[] bytes, int offset, int length) {
    if (closed) {
      throw new IllegalStateException("scanner already finished");
    }
    if (length == 0) {
      return;
    }
    try {
      feeder.feedInput(bytes, offset, offset + length);
      drain();
    } catch (IOException e) {
      throw fail(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Ends the body and returns what was found. Throws {@link ScanException} when the JSON is incomplete
   *  or required fields are missing or mistyped. */
  public RequestFacts finish() {
    if (closed) {
      throw new IllegalStateException("scanner already finished");
    }
    try {
      feeder.endOfInput();
      drain();
    } catch (IOException e) {
      throw fail(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    close();
    if (where != AFTER) {
      throw new ScanException("the request body is not a complete JSON object", null);
    }
    if (!hasPrompt) {
      if (api == Api.TOKENIZE) {
        throw new ScanException("'prompt' or 'messages' is required", null);
      }
      String carrier = switch (api) {
        case CHAT, MESSAGES -> "messages";
        case RESPONSES, EMBEDDINGS -> "input";
        case DETOKENIZE -> "tokens";
        default -> "prompt";
      };
      throw new ScanException("'" + carrier + "' is required", carrier);
    }
    if (api == Api.MESSAGES && maxTokens < 0) {
      // Anthropic's API requires it; without it there is no output bound to route on
      throw new ScanException("'max_tokens' is required", "max_tokens");
    }
    // vLLM reads an object without include_usage as asking for usage (StreamOptions.include_usage defaulted
    // to true until PR #36379) or as not asking (since); either way the upstream decides, Sluice does not.
    // Adding include_usage next to continuous_usage_stats would turn on usage in every chunk.
    boolean leaveAlone = streamOptionsObject && (!includeUsageOff || continuousUsage);
    return new RequestFacts(api, model, stream, leaveAlone,
        maxCompletionTokens >= 0 ? maxCompletionTokens : maxTokens, n, text.textBytes(), messages,
        hasImages, hasRemoteMedia, hasTools, hasPrompt, text.features(), bodyEnd, streamOptionsStart,
        includeUsageValueStart, includeUsageValueEnd, promptFrom, promptEnd, promptCacheKey, user, opening.build(),
        tokenIds, modelStart, modelEnd, previousResponseId, conversation);
  }

  /** Releases the parser's buffers; idempotent. For bodies abandoned before {@link #finish()}. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        parser.close();
      } catch (IOException ignored) {
        // closing a non-blocking parser has no I/O to fail
      }
    }
  }

  private ScanException fail(IOException e) {
    close();
    String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    return new ScanException("invalid JSON body: " + message, null);
  }

  private void drain() throws IOException {
    JsonToken t;
    while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
      if (t == JsonToken.VALUE_STRING && parser.getTextLength() > limits.maxStringLength()) {
        // Jackson checks its own bound only as its buffer grows; every string, read or skipped, is
        // held to the limit here (in chars, a lower bound of its bytes).
        throw new ScanException("a string exceeds " + limits.maxStringLength() + " bytes", null);
      }
      if (skipDepth > 0) {
        if (t.isStructStart()) {
          skipDepth++;
        } else if (t.isStructEnd()) {
          skipDepth--;
        }
        continue;
      }
      switch (where) {
        case BEFORE -> {
          if (t != JsonToken.START_OBJECT) {
            throw new ScanException("the request body must be a JSON object", null);
          }
          where = TOP;
        }
        case TOP -> onTop(t);
        case MESSAGES -> onMessages(t);
        case MESSAGE -> onMessage(t);
        case PARTS -> onParts(t);
        case PART -> onPart(t);
        case MEDIA -> onMedia(t);
        case STREAM_OPTIONS -> onStreamOptions(t);
        case PROMPT -> onPrompt(t);
        case INPUT -> onInput(t);
        case ITEM -> onItem(t);
        case TOKEN_ROW -> onTokenRow(t);
        default -> throw new ScanException("unexpected content after the request object", null);
      }
    }
  }

  private void onTop(JsonToken t) throws IOException {
    if (t == JsonToken.FIELD_NAME) {
      field = topField(parser.currentName());
      if (field == F_MESSAGES || field == F_PROMPT) {
        promptFrom = afterToken();
      }
      return;
    }
    if (t == JsonToken.END_OBJECT) {
      bodyEnd = lastByte();
      where = AFTER;
      return;
    }
    switch (field) {
      case F_MODEL -> {
        if (t == JsonToken.VALUE_STRING) {
          if (parser.getTextLength() > Api.MAX_MODEL_NAME) {
            throw new ScanException("'model' is longer than " + Api.MAX_MODEL_NAME + " characters", "model");
          }
          model = parser.getText();
          // the string token, quotes included, for a node that renames an alias: exact unless the name was
          // written with escapes (see RequestFacts#modelStart)
          modelEnd = afterToken();
          modelStart = isAscii(model) ? modelEnd - model.length() - 2 : -1;
        } else if (t == JsonToken.VALUE_NULL) {
          model = null;
          modelStart = -1;
        } else {
          throw wrongType("model", "a string", t);
        }
      }
      case F_STREAM -> {
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE || t == JsonToken.VALUE_NULL) {
          stream = t == JsonToken.VALUE_TRUE;
        } else {
          throw wrongType("stream", "a boolean", t);
        }
      }
      case F_STREAM_OPTIONS -> {
        streamOptionsObject = false;
        includeUsageOff = false;
        continuousUsage = false;
        includeUsageValueStart = -1;
        includeUsageValueEnd = -1;
        if (t == JsonToken.START_OBJECT) {
          streamOptionsStart = lastByte();
          streamOptionsObject = true;
          where = STREAM_OPTIONS;
          field = F_OTHER;
        } else if (t == JsonToken.VALUE_NULL) {
          streamOptionsStart = afterToken() - 4;
        } else {
          throw wrongType("stream_options", "an object", t);
        }
      }
      case F_MAX_TOKENS -> maxTokens = positiveInt(t, "max_tokens");
      case F_MAX_COMPLETION_TOKENS -> maxCompletionTokens = positiveInt(t, "max_completion_tokens");
      case F_N -> {
        int value = positiveInt(t, "n");
        n = value < 0 ? 1 : value;
      }
      case F_MESSAGES -> {
        if (t != JsonToken.START_ARRAY) {
          throw wrongType("messages", "an array", t);
        }
        hasPrompt = true;
        where = MESSAGES;
      }
      case F_PROMPT -> {
        if (t == JsonToken.VALUE_STRING) {
          hasPrompt = true;
          countText();
          promptEnd = afterToken();
        } else if (t == JsonToken.START_ARRAY) {
          hasPrompt = true;
          where = PROMPT;
        } else {
          throw wrongType("prompt", "a string or an array of strings or token ids", t);
        }
      }
      case F_INSTRUCTIONS, F_SYSTEM -> {
        String name = field == F_SYSTEM ? "system" : "instructions";
        if (t == JsonToken.VALUE_STRING) {
          countText();
        } else if (t == JsonToken.START_ARRAY && field == F_SYSTEM) {
          partsOwner = TOP;
          where = PARTS;
        } else if (t != JsonToken.VALUE_NULL) {
          throw wrongType(name, field == F_SYSTEM ? "a string or an array of text blocks" : "a string", t);
        }
      }
      case F_INPUT -> {
        if (t == JsonToken.VALUE_STRING) {
          hasPrompt = true;
          inputs = 1;
          countText();
        } else if (t == JsonToken.START_ARRAY) {
          hasPrompt = true;
          inputs = 0;
          where = INPUT;
        } else {
          throw wrongType("input", api == Api.EMBEDDINGS
              ? "a string, an array of strings or an array of token ids" : "a string or an array of input items", t);
        }
      }
      case F_TOKENS -> {
        if (t != JsonToken.START_ARRAY) {
          throw wrongType("tokens", "an array of token ids", t);
        }
        hasPrompt = true;
        where = INPUT;
      }
      case F_PREVIOUS_RESPONSE -> {
        if (t == JsonToken.VALUE_STRING) {
          previousResponseId = parser.getText();
        } else if (t == JsonToken.VALUE_NULL) {
          previousResponseId = null;
        } else {
          throw wrongType("previous_response_id", "a string", t);
        }
      }
      case F_CONVERSATION -> {
        conversation = t != JsonToken.VALUE_NULL;
        skipValue(t);
      }
      case F_TOOLS -> {
        if (t != JsonToken.VALUE_NULL) {
          hasTools = true;
        }
        skipValue(t);
      }
      case F_PROMPT_CACHE_KEY -> promptCacheKey = keyHash(t);
      case F_USER -> user = keyHash(t);
      default -> skipValue(t);
    }
  }

  /** The hash of a string value; anything else names no conversation (the upstream judges its type). */
  private long keyHash(JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      skipValue(t);
      return AffinityKey.NONE;
    }
    keyText.reset();
    parser.getText(keyText);
    return keyText.hash();
  }

  /** The top-level fields the scanner reads for its API; every other one is skipped. */
  private int topField(String name) {
    switch (name) {
      case "model" -> {
        return F_MODEL;
      }
      case "stream" -> {
        return api == Api.EMBEDDINGS ? F_OTHER : F_STREAM;
      }
      case "tools", "functions" -> {
        return F_TOOLS;
      }
      case "prompt_cache_key" -> {
        return F_PROMPT_CACHE_KEY;
      }
      case "user" -> {
        return F_USER;
      }
      default -> {
      }
    }
    return switch (api) {
      case CHAT -> switch (name) {
        case "messages" -> F_MESSAGES;
        case "max_tokens" -> F_MAX_TOKENS;
        case "max_completion_tokens" -> F_MAX_COMPLETION_TOKENS;
        case "n" -> F_N;
        case "stream_options" -> F_STREAM_OPTIONS;
        default -> F_OTHER;
      };
      case COMPLETIONS -> switch (name) {
        case "prompt" -> F_PROMPT;
        case "max_tokens" -> F_MAX_TOKENS;
        case "n" -> F_N;
        case "stream_options" -> F_STREAM_OPTIONS;
        default -> F_OTHER;
      };
      case RESPONSES -> switch (name) {
        case "instructions" -> F_INSTRUCTIONS;
        case "input" -> F_INPUT;
        case "max_output_tokens" -> F_MAX_TOKENS;
        case "previous_response_id" -> F_PREVIOUS_RESPONSE;
        case "conversation" -> F_CONVERSATION;
        default -> F_OTHER;
      };
      case MESSAGES -> switch (name) {
        case "system" -> F_SYSTEM;
        case "messages" -> F_MESSAGES;
        case "max_tokens" -> F_MAX_TOKENS;
        default -> F_OTHER;
      };
      case EMBEDDINGS -> "input".equals(name) ? F_INPUT : F_OTHER;
      case TOKENIZE -> "prompt".equals(name) ? F_PROMPT : "messages".equals(name) ? F_MESSAGES : F_OTHER;
      case DETOKENIZE -> "tokens".equals(name) ? F_TOKENS : F_OTHER;
    };
  }

  private void onMessages(JsonToken t) {
    if (t == JsonToken.END_ARRAY) {
      if (messages == 0) {
        throw new ScanException("'messages' must contain at least one message", "messages");
      }
      promptEnd = afterToken();
      where = TOP;
      field = F_OTHER;
    } else if (t == JsonToken.START_OBJECT) {
      messages++;
      roleValid = false;
      userRole = false;
      field = F_OTHER;
      where = MESSAGE;
    } else {
      throw new ScanException("each entry of 'messages' must be an object", "messages");
    }
  }

  private void onMessage(JsonToken t) throws IOException {
    if (t == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      field = "content".equals(name) ? F_CONTENT : "role".equals(name) ? F_ROLE : F_OTHER;
      return;
    }
    if (t == JsonToken.END_OBJECT) {
      if (!roleValid) {
        throw new ScanException("message " + (messages - 1) + " has no valid 'role'", "messages");
      }
      if (userRole) {
        opening.close();   // the opening is the system prompt and the first user message: every turn repeats it
      }
      where = MESSAGES;
      return;
    }
    switch (field) {
      case F_ROLE -> {
        roleValid = t == JsonToken.VALUE_STRING && isKnownRole();
        userRole = roleValid && textEquals("user");
        if (!roleValid) {
          throw new ScanException("message " + (messages - 1) + " has no valid 'role'", "messages");
        }
      }
      case F_CONTENT -> {
        if (t == JsonToken.VALUE_STRING) {
          countText();
        } else if (t == JsonToken.START_ARRAY) {
          partsOwner = MESSAGE;
          where = PARTS;
        } else if (t != JsonToken.VALUE_NULL) {
          throw new ScanException("message " + (messages - 1)
              + " 'content' must be a string, an array of content parts or null", "messages");
        }
      }
      default -> skipValue(t);
    }
  }

  private void onParts(JsonToken t) {
    if (t == JsonToken.END_ARRAY) {
      where = partsOwner;
      field = F_OTHER;
    } else if (t == JsonToken.START_OBJECT) {
      partIsText = false;
      field = F_OTHER;
      where = PART;
    } else {
      throw new ScanException("each content part " + partsPlace() + " must be an object", partsParam());
    }
  }

  private String partsPlace() {
    return switch (partsOwner) {
      case TOP -> "of 'system'";
      case ITEM -> "of input item " + (inputs - 1);
      default -> "of message " + (messages - 1);
    };
  }

  private String partsParam() {
    return partsOwner == TOP ? "system" : partsOwner == ITEM ? "input" : "messages";
  }

  private void onPart(JsonToken t) throws IOException {
    if (t == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      // a text part's text, or the string content of an Anthropic tool_result block
      field = "text".equals(name) || "content".equals(name) ? F_TEXT : "type".equals(name) ? F_TYPE
          : isMediaField(name) ? F_MEDIA : F_OTHER;
      return;
    }
    if (t == JsonToken.END_OBJECT) {
      if (!partIsText) {
        hasImages = true;
      }
      where = PARTS;
      return;
    }
    switch (field) {
      case F_TYPE -> partIsText = t == JsonToken.VALUE_STRING && isTextPart();
      case F_TEXT -> {
        if (t == JsonToken.VALUE_STRING) {
          countText();
        } else {
          skipValue(t);
        }
      }
      case F_MEDIA -> {
        if (t == JsonToken.VALUE_STRING) {
          noteMediaUrl();
        } else if (t == JsonToken.START_OBJECT) {
          field = F_OTHER;
          where = MEDIA;
        } else {
          skipValue(t);
        }
      }
      default -> skipValue(t);
    }
  }

  /** Inside {@code "image_url": {...}} (or video/audio): only {@code url} matters. */
  private void onMedia(JsonToken t) throws IOException {
    if (t == JsonToken.FIELD_NAME) {
      field = "url".equals(parser.currentName()) ? F_URL : F_OTHER;
    } else if (t == JsonToken.END_OBJECT) {
      where = PART;
      field = F_OTHER;
    } else if (field == F_URL && t == JsonToken.VALUE_STRING) {
      noteMediaUrl();
    } else {
      skipValue(t);
    }
  }

  /**
   * Fields of a content part that point at media: OpenAI's {@code image_url} (a string or an object with {@code
   * url}), {@code video_url}, {@code audio_url}, the Responses API's {@code file_url}, and Anthropic's {@code
   * source} object ({@code {"type":"url","url":...}} or base64 data).
   */
  private static boolean isMediaField(String name) {
    return "image_url".equals(name) || "video_url".equals(name) || "audio_url".equals(name)
        || "file_url".equals(name) || "source".equals(name);
  }

  private boolean isTextPart() throws IOException {
    if (api == Api.CHAT || api == Api.TOKENIZE) {
      return textEquals("text");   // chat: every other type (or none) is media
    }
    return TEXT_PARTS.contains(parser.getText());
  }

  /** Looks at the decoded URL in the parser's buffer (no String: a data: URL can be megabytes). */
  private void noteMediaUrl() throws IOException {
    if (!hasRemoteMedia) {
      hasRemoteMedia = MediaUrl.isRemote(
          CharBuffer.wrap(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength()));
    }
  }

  private void onStreamOptions(JsonToken t) throws IOException {
    if (t == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      field = "include_usage".equals(name) ? F_INCLUDE_USAGE
          : "continuous_usage_stats".equals(name) ? F_CONTINUOUS_USAGE : F_OTHER;
      return;
    }
    if (t == JsonToken.END_OBJECT) {
      where = TOP;
      field = F_OTHER;
      return;
    }
    if (field == F_CONTINUOUS_USAGE) {
      // not validated here (the upstream does); whatever might read as true keeps Sluice from adding usage
      continuousUsage = t != JsonToken.VALUE_FALSE && t != JsonToken.VALUE_NULL;
      skipValue(t);
      return;
    }
    if (field != F_INCLUDE_USAGE) {
      skipValue(t);
      return;
    }
    int width;
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_NULL) {
      width = 4;
    } else if (t == JsonToken.VALUE_FALSE) {
      width = 5;
    } else {
      throw wrongType("stream_options", "an object whose 'include_usage' is a boolean", t);
    }
    includeUsageOff = t != JsonToken.VALUE_TRUE;
    includeUsageValueEnd = afterToken();
    includeUsageValueStart = includeUsageValueEnd - width;
  }

  private void onPrompt(JsonToken t) throws IOException {
    if (t == JsonToken.END_ARRAY) {
      promptEnd = afterToken();
      where = TOP;
      field = F_OTHER;
    } else if (t == JsonToken.VALUE_STRING) {
      countText();
    } else if (t == JsonToken.VALUE_NUMBER_INT) {
      tokenIds++;
    } else if (t == JsonToken.START_ARRAY) {
      rowOwner = PROMPT;
      where = TOKEN_ROW;
    } else {
      throw new ScanException("'prompt' must be a string or an array of strings or token ids", "prompt");
    }
  }

  /**
   * An array of inputs: the Responses API's items, the embeddings inputs (strings, token ids, rows of token ids),
   * or the token ids to detokenize.
   */
  private void onInput(JsonToken t) throws IOException {
    if (t == JsonToken.END_ARRAY) {
      where = TOP;
      field = F_OTHER;
      return;
    }
    if (api == Api.DETOKENIZE) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        throw new ScanException("'tokens' must be an array of token ids", "tokens");
      }
      tokenIds++;
      return;
    }
    if (++inputs > MAX_EMBEDDING_INPUTS && api == Api.EMBEDDINGS) {
      throw new ScanException("'input' may hold at most " + MAX_EMBEDDING_INPUTS + " items", "input");
    }
    if (api == Api.RESPONSES) {
      if (t != JsonToken.START_OBJECT) {
        throw new ScanException("input item " + (inputs - 1) + " must be an object", "input");
      }
      itemType = null;
      userRole = false;
      field = F_OTHER;
      where = ITEM;
      return;
    }
    if (t == JsonToken.VALUE_STRING) {
      countText();
    } else if (t == JsonToken.VALUE_NUMBER_INT) {
      tokenIds++;
    } else if (t == JsonToken.START_ARRAY) {
      rowOwner = INPUT;
      where = TOKEN_ROW;
    } else {
      throw new ScanException("'input' must be a string, an array of strings or an array of token ids", "input");
    }
  }

  /** Where a row of token ids returns to. */
  private int rowOwner = INPUT;

  private void onTokenRow(JsonToken t) {
    if (t == JsonToken.END_ARRAY) {
      where = rowOwner;
    } else if (t == JsonToken.VALUE_NUMBER_INT) {
      tokenIds++;
    } else {
      throw new ScanException("a row of token ids holds integers only", rowOwner == PROMPT ? "prompt" : "input");
    }
  }

  /**
   * An item of a Responses {@code input}: a message's {@code content} (a string or content parts), a tool call's
   * {@code arguments}, a tool result's {@code output}. Its {@code type} must be one the API defines.
   */
  private void onItem(JsonToken t) throws IOException {
    if (t == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      field = switch (name) {
        case "type" -> F_TYPE;
        case "role" -> F_ROLE;
        case "content" -> F_CONTENT;
        case "arguments", "output" -> F_ITEM_TEXT;
        default -> F_OTHER;
      };
      return;
    }
    if (t == JsonToken.END_OBJECT) {
      if (itemType != null && !ITEM_TYPES.contains(itemType)) {
        throw new ScanException("input item " + (inputs - 1) + " has an unknown type '" + itemType + "'", "input");
      }
      if (userRole) {
        opening.close();   // the conversation's opening ends with its first user message, as in chat
      }
      where = INPUT;
      field = F_OTHER;
      return;
    }
    switch (field) {
      case F_TYPE -> {
        if (t != JsonToken.VALUE_STRING) {
          throw new ScanException("input item " + (inputs - 1) + " has a 'type' that is not a string", "input");
        }
        itemType = parser.getText();
      }
      case F_ROLE -> userRole = t == JsonToken.VALUE_STRING && textEquals("user");
      case F_CONTENT, F_ITEM_TEXT -> {
        if (t == JsonToken.VALUE_STRING) {
          countText();
        } else if (t == JsonToken.START_ARRAY) {
          partsOwner = ITEM;
          where = PARTS;
        } else {
          skipValue(t);
        }
      }
      default -> skipValue(t);
    }
  }

  private void countText() throws IOException {
    text.beginString();
    parser.getText(text);
    if (!opening.closed()) {
      // the string's bytes between its quotes, as sent: a string token's offset is one past its opening quote
      opening.add((int) ((ParserBase) parser).getTokenCharacterOffset(), lastByte());
    }
    if (text.stringBytes() > limits.maxStringLength()) {
      throw new ScanException("a prompt string exceeds " + limits.maxStringLength() + " bytes", null);
    }
  }

  private void skipValue(JsonToken t) {
    if (t.isStructStart()) {
      skipDepth = 1;
    }
  }

  private int positiveInt(JsonToken t, String name) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return -1;
    }
    if (t == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
      int value = parser.getIntValue();
      if (value >= 1) {
        return value;
      }
    }
    throw new ScanException("'" + name + "' must be a positive integer", name);
  }

  private boolean isKnownRole() throws IOException {
    for (String role : ROLES) {
      if (textEquals(role)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Compares the current string token with a short constant without building a String. */
  private boolean textEquals(String expected) throws IOException {
    int len = parser.getTextLength();
    if (len != expected.length()) {
      return false;
    }
    char[] chars = parser.getTextCharacters();
    int off = parser.getTextOffset();
    for (int i = 0; i < len; i++) {
      if (chars[off + i] != expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  // Body offsets come from the parser's input position right after the token just returned: for a
  // brace or a literal it sits exactly one past the token's last byte, whatever the chunking. (The
  // non-blocking parser's token-start location is one byte late for most tokens and not updated for
  // closing braces, so it is not used.)
  private int afterToken() {
    return (int) parser.currentLocation().getByteOffset();
  }

  private int lastByte() {
    return afterToken() - 1;
  }

  private static ScanException wrongType(String param, String expected, JsonToken t) {
    return new ScanException("'" + param + "' must be " + expected + ", not " + describe(t), param);
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString();
    };
  }
}
