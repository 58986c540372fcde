package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * Recognises an upstream 400 that says the request does not fit the model's context. Matches on
 * {@code error.param} first, on the message wording as a fallback (vLLM's wording changes between versions).
 * Reads both the nested error shape and vLLM's older flat one. Error path only: parsing here is fine.
 */
public final class ContextLengthError {
  private static final Set<String> PARAMS = Set.of("input_tokens", "max_tokens", "input_text");

  private ContextLengthError() {
  }

  public static boolean matches(Buffer body) {
    JsonObject root;
    try {
      root = new JsonObject(body);
    } catch (RuntimeException notJson) {
      return mentionsContext(body.toString());
    }
    Object nested = root.getValue("error");
    JsonObject error = nested instanceof JsonObject o ? o : root;
    Object param = error.getValue("param");
    if (param instanceof String p && PARAMS.contains(p)) {
      return true;
    }
    Object message = error.getValue("message");
    if (message == null && nested instanceof String s) {
      message = s;
    }
    return message instanceof String m && mentionsContext(m);
  }

  /**
   * The prompt token count the error states exactly ("... (8990 in the messages, ...)" or "... has 8990 input
   * tokens"), or -1. A lower bound ("at least 8990 input tokens") is not an exact count and gives -1.
   */
  public static int promptTokens(Buffer body) {
    String text = body.toString();
    int n = numberBefore(text, " in the messages");
    return n >= 0 ? n : numberBefore(text, " input tokens");
  }

  private static int numberBefore(String text, String marker) {
    int at = text.indexOf(marker);
    if (at <= 0) {
      return -1;
    }
    int start = at;
    while (start > 0 && Character.isDigit(text.charAt(start - 1))) {
      start--;
    }
    if (start == at || at - start > 9 || text.startsWith("at least ", Math.max(0, start - 9))) {
      return -1;
    }
    return Integer.parseInt(text, start, at, 10);
  }

  private static boolean mentionsContext(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    return t.contains("maximum context length") || t.contains("context length") || t.contains("context window");
  }
}
