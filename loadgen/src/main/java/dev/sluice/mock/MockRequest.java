package dev.sluice.mock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an OpenAI chat or completions body the mock needs, read with a streaming parser (no tree).
 *
 * @param model          {@code model}, or null
 * @param stream         {@code stream} is true
 * @param options        {@code stream_options} as sent
 * @param maxTokens      {@code max_completion_tokens}, else {@code max_tokens}; -1 when absent or null
 * @param maxTokensParam the name of the field {@code maxTokens} came from (vLLM names it in its errors)
 * @param texts          prompt texts: message contents (string or text parts) or the completions prompt
 * @param roles          each chat message's role, in order
 * @param messageEnds    message {@code m}'s texts are {@code texts[messageEnds[m - 1], messageEnds[m])}
 * @param textChars      total chars of {@code texts}
 * @param tokenIds       token ids given directly as a completions prompt (counted as they are)
 */
record MockRequest(String model, boolean stream, StreamOptions options, int maxTokens, String maxTokensParam,
    List<String> texts, List<String> roles, int[] messageEnds, long textChars, int[] tokenIds) {

  /** Number of chat messages. */
  int messages() {
    return roles.size();
  }

  /** Number of token ids given directly as the prompt. */
  int promptTokenIds() {
    return tokenIds.length;
  }

  /**
   * {@code stream_options}.
   *
   * @param present              an object was sent
   * @param fields               how many fields it had (vLLM refuses a non-empty one without {@code stream})
   * @param includeUsage         its {@code include_usage}: TRUE, FALSE (false or null) or null when absent
   * @param continuousUsageStats its {@code continuous_usage_stats} is true
   */
  record StreamOptions(boolean present, int fields, Boolean includeUsage, boolean continuousUsageStats) {
    static final StreamOptions NONE = new StreamOptions(false, 0, null, false);
  }

  /**
   * Whether usage is streamed, as vLLM's {@code should_include_usage}
   * ({@code vllm/entrypoints/serve/utils/api_utils.py}) reads the options: an absent {@code include_usage}
   * takes the version's default.
   */
  boolean includeUsage(VllmVersion version) {
    if (!stream || !options.present()) {
      return false;
    }
    Boolean asked = options.includeUsage();
    return asked != null ? asked : version.includeUsageByDefault();
  }

  /** Whether every chunk carries usage: {@code continuous_usage_stats} counts only with include_usage. */
  boolean continuousUsage(VllmVersion version) {
    return includeUsage(version) && options.continuousUsageStats();
  }

  private static final JsonFactory JSON = new JsonFactory();

  /** A body vLLM would refuse with 400; the message and param go into the error. */
  static final class Invalid extends Exception {
    final String param;
    /** The refused value, or null. */
    final Object value;
    /** Raised as vLLM's {@code VLLMValidationError}, whose text current vLLM ends with its param and value. */
    final boolean validation;

    /** A refusal of the body's shape (pydantic's in vLLM). */
    Invalid(String message, String param) {
      super(message, null, false, false);
      this.param = param;
      this.value = null;
      this.validation = false;
    }

    /** A {@code VLLMValidationError}. */
    Invalid(String message, String param, Object value) {
      super(message, null, false, false);
      this.param = param;
      this.value = value;
      this.validation = true;
    }

    /**
     * The message as current vLLM sends it: a {@code VLLMValidationError}'s text ends with
     * {@code " (parameter=p, value=v)"} ({@code vllm/exceptions.py} {@code __str__}).
     */
    String vllmMessage() {
      if (!validation || (param == null && value == null)) {
        return getMessage();
      }
      StringBuilder b = new StringBuilder(getMessage()).append(" (");
      if (param != null) {
        b.append("parameter=").append(param);
      }
      if (value != null) {
        b.append(param != null ? ", " : "").append("value=").append(value);
      }
      return b.append(')').toString();
    }
  }

  static MockRequest parse(byte[] body, boolean chat) throws Invalid {
    String model = null;
    boolean stream = false;
    StreamOptions options = StreamOptions.NONE;
    int maxTokens = -1;
    int maxCompletionTokens = -1;
    List<String> texts = new ArrayList<>(4);
    List<String> roles = new ArrayList<>(4);
    List<Integer> ends = new ArrayList<>(4);
    long chars = 0;
    List<Integer> tokenIds = new ArrayList<>(0);
    boolean hasPrompt = false;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid("Request body must be a JSON object", null);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "model" -> model = t == JsonToken.VALUE_STRING ? p.getText() : null;
          case "stream" -> stream = t == JsonToken.VALUE_TRUE;
          case "stream_options" -> options = t == JsonToken.START_OBJECT ? readStreamOptions(p) : StreamOptions.NONE;
          case "max_tokens" -> maxTokens = intOrAbsent(p, t, "max_tokens");
          case "max_completion_tokens" -> maxCompletionTokens = intOrAbsent(p, t, "max_completion_tokens");
          case "messages" -> {
            if (!chat) {
              p.skipChildren();
              break;
            }
            if (t != JsonToken.START_ARRAY) {
              throw new Invalid("'messages' must be a list", "messages");
            }
            hasPrompt = true;
            while (p.nextToken() == JsonToken.START_OBJECT) {
              String role = "";
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("content")) {
                  chars += readContent(p, v, texts);
                } else if (name.equals("role") && v == JsonToken.VALUE_STRING) {
                  role = p.getText();
                } else {
                  p.skipChildren();
                }
              }
              roles.add(role);
              ends.add(texts.size());
            }
          }
          case "prompt" -> {
            if (chat) {
              p.skipChildren();
              break;
            }
            hasPrompt = true;
            if (t == JsonToken.VALUE_STRING) {
              String s = p.getText();
              texts.add(s);
              chars += s.length();
            } else if (t == JsonToken.START_ARRAY) {
              JsonToken e;
              while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                if (e == JsonToken.VALUE_STRING) {
                  String s = p.getText();
                  texts.add(s);
                  chars += s.length();
                } else if (e == JsonToken.VALUE_NUMBER_INT) {
                  tokenIds.add(p.getIntValue());
                } else {
                  p.skipChildren();
                }
              }
            } else {
              throw new Invalid("'prompt' must be a string or a list", "prompt");
            }
          }
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new Invalid("Invalid JSON body: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), null);
    }
    if (!hasPrompt) {
      throw new Invalid(chat ? "Field required: messages" : "Field required: prompt", chat ? "messages" : "prompt");
    }
    if (options.fields() > 0 && !stream) {
      // vLLM tests `data.get("stream_options")`: an empty object passes
      throw new Invalid("Stream options can only be defined when `stream=True`.", "stream_options", null);
    }
    boolean completionTokens = maxCompletionTokens >= 0;
    return new MockRequest(model, stream, options, completionTokens ? maxCompletionTokens : maxTokens,
        completionTokens ? "max_completion_tokens" : "max_tokens", texts, roles,
        ends.stream().mapToInt(Integer::intValue).toArray(), chars,
        tokenIds.stream().mapToInt(Integer::intValue).toArray());
  }

  private static StreamOptions readStreamOptions(JsonParser p) throws IOException {
    int fields = 0;
    Boolean includeUsage = null;
    boolean continuous = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      fields++;
      if (name.equals("include_usage")) {
        includeUsage = v == JsonToken.VALUE_TRUE;
      } else if (name.equals("continuous_usage_stats")) {
        continuous = v == JsonToken.VALUE_TRUE;
      } else {
        p.skipChildren();
      }
    }
    return new StreamOptions(true, fields, includeUsage, continuous);
  }

  private static long readContent(JsonParser p, JsonToken v, List<String> texts) throws IOException {
    if (v == JsonToken.VALUE_STRING) {
      String s = p.getText();
      texts.add(s);
      return s.length();
    }
    if (v != JsonToken.START_ARRAY) {
      p.skipChildren();
      return 0;
    }
    long chars = 0;
    while (p.nextToken() == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("text") && t == JsonToken.VALUE_STRING) {
          String s = p.getText();
          texts.add(s);
          chars += s.length();
        } else {
          p.skipChildren();
        }
      }
    }
    return chars;
  }

  private static int intOrAbsent(JsonParser p, JsonToken t, String name) throws IOException, Invalid {
    if (t == JsonToken.VALUE_NULL) {
      return -1;
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      p.skipChildren();
      throw new Invalid("'" + name + "' must be an integer", name);
    }
    long v = p.getLongValue();
    if (v < 1) {
      throw new Invalid(name + " must be at least 1, got " + v + ".", name, v);
    }
    return (int) Math.min(v, Integer.MAX_VALUE);
  }
}
