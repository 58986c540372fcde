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
 * @param includeUsage   {@code stream_options.include_usage} is true
 * @param maxTokens      {@code max_completion_tokens}, else {@code max_tokens}; -1 when absent or null
 * @param texts          prompt texts: message contents (string or text parts) or the completions prompt
 * @param messages       number of chat messages
 * @param textChars      total chars of {@code texts}
 * @param promptTokenIds token ids given directly as a completions prompt (counted as they are)
 */
record MockRequest(String model, boolean stream, boolean includeUsage, int maxTokens, List<String> texts,
    int messages, long textChars, int promptTokenIds) {

  private static final JsonFactory JSON = new JsonFactory();

  /** A body vLLM would refuse with 400; the message and param go into the error. */
  static final class Invalid extends Exception {
    final String param;

    Invalid(String message, String param) {
      super(message, null, false, false);
      this.param = param;
    }
  }

  static MockRequest parse(byte[] body, boolean chat) throws Invalid {
    String model = null;
    boolean stream = false;
    boolean includeUsage = false;
    int maxTokens = -1;
    int maxCompletionTokens = -1;
    List<String> texts = new ArrayList<>(4);
    int messages = 0;
    long chars = 0;
    int tokenIds = 0;
    boolean hasPrompt = false;
    boolean streamOptions = false;
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
          case "stream_options" -> {
            if (t == JsonToken.START_OBJECT) {
              streamOptions = true;
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("include_usage")) {
                  includeUsage = v == JsonToken.VALUE_TRUE;
                } else {
                  p.skipChildren();
                }
              }
            }
          }
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
              messages++;
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("content")) {
                  chars += readContent(p, v, texts);
                } else {
                  p.skipChildren();
                }
              }
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
                  tokenIds++;
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
    if (streamOptions && !stream) {
      throw new Invalid("Stream options can only be defined when `stream=True`.", null);
    }
    int max = maxCompletionTokens >= 0 ? maxCompletionTokens : maxTokens;
    return new MockRequest(model, stream, includeUsage, max, texts, messages, chars, tokenIds);
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
      throw new Invalid(name + " must be at least 1, got " + v + ".", name);
    }
    return (int) Math.min(v, Integer.MAX_VALUE);
  }
}
