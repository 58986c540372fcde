package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A vLLM "context length exceeded" rejection, recognised from a small buffered error body. Runs only on
 * the error path, so it may use a JSON decode and regular expressions.
 *
 * <p>Recognised by status 400 plus {@code param} in {@code input_tokens}, {@code max_tokens},
 * {@code input_text} (current vLLM), or, when {@code param} is null or absent (older servers, and the
 * flat {@code {"object":"error",...}} shape), by the message wording. The stated input token count,
 * when the message has one, is the upstream's own count of the prompt: a calibration sample.
 *
 * @param param        the {@code param} field, or null
 * @param message      the message text
 * @param inputTokens  the prompt tokens the server counted, or -1 when not stated
 * @param exactCount   whether {@code inputTokens} is an exact count (false for "at least n")
 * @param maxContext   the model's context length when stated, else -1
 */
public record ContextLengthError(String param, String message, int inputTokens, boolean exactCount,
    int maxContext) {

  private static final Pattern WORDING = Pattern.compile(
      "maximum context length|context length is only|maximum input length|input characters"
          + "|too large: \\d+|reduce the length", Pattern.CASE_INSENSITIVE);

  private static final Pattern[] EXACT_COUNTS = {
      Pattern.compile("request has (\\d+) input tokens"),
      Pattern.compile("passed (\\d+) input tokens"),
      Pattern.compile("\\((\\d+) in the messages"),
      Pattern.compile("parameter=input_tokens, value=(\\d+)"),
  };
  private static final Pattern LOWER_BOUND = Pattern.compile("at least (\\d+) input tokens");
  private static final Pattern CONTEXT = Pattern.compile("context length is (?:only )?(\\d+)");

  /** Whether {@code param} is one vLLM uses for a context-length rejection. */
  public static boolean isContextParam(String param) {
    return "input_tokens".equals(param) || "max_tokens".equals(param) || "input_text".equals(param);
  }

  /** The context-length error in this response, or empty when it is some other failure. */
  public static Optional<ContextLengthError> parse(int status, Buffer body) {
    if (status != 400 || body == null || body.length() == 0) {
      return Optional.empty();
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return fromMessage(null, body.toString());
    }
    JsonObject err = json.getValue("error") instanceof JsonObject e ? e : json;
    String message = err.getValue("message") instanceof String s ? s : "";
    String param = err.getValue("param") instanceof String s ? s : null;
    if (isContextParam(param)) {
      return Optional.of(of(param, message));
    }
    return fromMessage(param, message);
  }

  /** Same, from a body already held as a string. */
  public static Optional<ContextLengthError> parse(int status, String body) {
    return parse(status, body == null ? null : Buffer.buffer(body));
  }

  private static Optional<ContextLengthError> fromMessage(String param, String message) {
    return WORDING.matcher(message).find() ? Optional.of(of(param, message)) : Optional.empty();
  }

  private static ContextLengthError of(String param, String message) {
    int tokens = -1;
    boolean exact = false;
    Matcher lower = LOWER_BOUND.matcher(message);
    if (lower.find()) {
      // "at least n": the server stopped counting early; a bound, not a sample
      tokens = toInt(lower.group(1));
    } else {
      for (Pattern p : EXACT_COUNTS) {
        Matcher m = p.matcher(message);
        if (m.find()) {
          tokens = toInt(m.group(1));
          exact = true;
          break;
        }
      }
    }
    Matcher c = CONTEXT.matcher(message);
    int context = c.find() ? toInt(c.group(1)) : -1;
    return new ContextLengthError(param, message, tokens, exact && tokens > 0, context);
  }

  private static int toInt(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The upstream's exact prompt-token count, usable as a calibration sample, or -1. */
  public int calibrationSample() {
    return exactCount ? inputTokens : -1;
  }
}
