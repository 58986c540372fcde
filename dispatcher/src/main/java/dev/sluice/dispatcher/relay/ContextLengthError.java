package dev.sluice.dispatcher.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A "context length exceeded" rejection from vLLM (or SGLang), recognised from a small buffered error body
 * or from the error event of a stream. Runs only on the error path, so it may use a JSON decode and regular
 * expressions.
 *
 * <p>Recognised by status 400 plus one of these:
 * <ul>
 *   <li>{@code param} {@code input_tokens} or {@code input_text}: the renderer's length checks
 *       ({@code vllm/renderers/params.py}), whatever their wording;
 *   <li>{@code param} {@code max_tokens} or {@code max_completion_tokens} with a length wording (vLLM uses
 *       these params for other validation errors too, which a larger pool would refuse just the same), including
 *       "max_tokens must be at least 1, got 0" (or less): the output vLLM derived from what the prompt left;
 *   <li>any other or no {@code param} (older servers, the flat {@code {"object":"error",...}} shape,
 *       SGLang) with a length wording.
 * </ul>
 *
 * <p>What the message says about the prompt comes in two strengths. An exact count ("your request has n
 * input tokens", "You passed n input tokens", SGLang's "The input (n tokens)") is the upstream's own count
 * of the prompt: a calibration sample. A lower bound ("your prompt contains at least n input tokens":
 * current vLLM stops tokenizing one token past the limit) says only that the prompt did not fit; it still
 * tells which pools are too small ({@link #minimumContext}), never how many tokens the prompt had.
 *
 * @param param          the {@code param} field, or null
 * @param message        the message text
 * @param inputTokens    the prompt tokens the message states, exact or as a lower bound, or -1
 * @param exactCount     whether {@code inputTokens} is an exact count (false for "at least n")
 * @param maxContext     the model's context length when stated, else -1
 * @param minimumContext the smallest context length that could serve the request as far as the message
 *                       tells (prompt plus requested output, at least the stated context plus one), or -1
 */
public record ContextLengthError(String param, String message, int inputTokens, boolean exactCount,
    int maxContext, long minimumContext) {

  private static final Pattern WORDING = Pattern.compile(
      "maximum context length|context length is only|maximum input length|input characters"
          + "|too large: \\d+|reduce the length|cannot be greater than max_model_len"
          + "|longer than the maximum model length|longer than the model's context length"
          // the Responses API's own check after rendering ("The engine prompt length N exceeds the max_model_len T")
          + "|exceeds the max_model_len"
          // the output vLLM derives as max_model_len - prompt when the prompt leaves none; Sluice never sends
          // a max_tokens below 1 itself, so from upstream this always means the prompt filled the context
          + "|max_tokens must be at least 1, got (?:0|-\\d+)\\b",
      Pattern.CASE_INSENSITIVE);

  /** A stated count that is only a lower bound: vLLM tokenized no further than one token past the limit. */
  private static final Pattern LOWER_BOUND = Pattern.compile("at least (\\d+) input tokens");
  private static final Pattern[] EXACT_COUNTS = {
      Pattern.compile("request has (\\d+) input tokens"),
      Pattern.compile("passed (\\d+) input tokens"),
      Pattern.compile("prompt contains (\\d+) input tokens"),
      Pattern.compile("\\((\\d+) in the messages"),
      Pattern.compile("[Tt]he input \\((\\d+) tokens\\)"),
      Pattern.compile("(\\d+) tokens from the input messages"),
      Pattern.compile("prompt \\(length (\\d+)\\) is longer"),
      Pattern.compile("Input length \\((\\d+)\\) exceeds"),
      Pattern.compile("parameter=input_tokens, value=(\\d+)"),
      Pattern.compile("prompt length (\\d+) exceeds"),
  };
  private static final Pattern[] CONTEXTS = {
      Pattern.compile("context length is (?:only )?(\\d+)"),
      Pattern.compile("maximum context length of (\\d+)"),
      Pattern.compile("context length \\((\\d+) tokens\\)"),
      Pattern.compile("maximum model length of (\\d+)"),
      Pattern.compile("maximum context length \\((\\d+)\\)"),
      Pattern.compile("max_model_len=(?:max_total_tokens=)?(\\d+)"),
      Pattern.compile("exceeds the max_model_len (\\d+)"),
  };
  /** Prompt plus output, stated as one number. */
  private static final Pattern[] TOTALS = {
      Pattern.compile("for a total of (?:at least )?(\\d+) tokens"),
      Pattern.compile("requested a total of (\\d+) tokens"),
      Pattern.compile("requested (\\d+) tokens \\("),
  };
  /** Requested output, where the message states it apart from the prompt. */
  private static final Pattern[] OUTPUTS = {
      Pattern.compile("requested (\\d+) output tokens"),
      Pattern.compile("too large: (\\d+)"),
      Pattern.compile("(\\d+) tokens for the completion"),
      Pattern.compile("max(?:_completion)?_tokens=(\\d+) ?cannot be greater than"),
  };
  /** The character pre-check: more characters than this many tokens can hold. */
  private static final Pattern CHARS_BOUND = Pattern.compile("upper bound for (\\d+) input tokens");

  /** Whether {@code param} alone marks a context-length rejection, whatever the wording. */
  public static boolean isContextParam(String param) {
    return "input_tokens".equals(param) || "input_text".equals(param);
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
    return inError(json.getValue("error") instanceof JsonObject e ? e : json);
  }

  /** Same, from a body already held as a string. */
  public static Optional<ContextLengthError> parse(int status, String body) {
    return parse(status, body == null ? null : Buffer.buffer(body));
  }

  /**
   * The context-length error described by an OpenAI error object ({@code {"message","type","param","code"}}),
   * whatever HTTP status carried it: an error event inside a 200 stream has none of its own.
   */
  public static Optional<ContextLengthError> inError(JsonObject error) {
    String message = error.getValue("message") instanceof String s ? s : "";
    String param = error.getValue("param") instanceof String s ? s : null;
    if (isContextParam(param)) {
      return Optional.of(of(param, message));
    }
    return fromMessage(param, message);
  }

  private static Optional<ContextLengthError> fromMessage(String param, String message) {
    if (!WORDING.matcher(message).find()) {
      return Optional.empty();
    }
    return Optional.of(of(param, message));
  }

  private static ContextLengthError of(String param, String message) {
    int tokens = first(LOWER_BOUND, message);
    boolean exact = false;
    if (tokens < 0) {
      tokens = first(EXACT_COUNTS, message);
      exact = tokens > 0;
    }
    int context = first(CONTEXTS, message);
    long minimum = context > 0 ? context + 1L : -1;
    int total = first(TOTALS, message);
    int output = first(OUTPUTS, message);
    if (total > 0) {
      minimum = Math.max(minimum, total);
    }
    if (tokens > 0) {
      // a request needs its whole prompt and at least one generated token
      minimum = Math.max(minimum, (long) tokens + Math.max(output, 1));
    }
    int charsBound = first(CHARS_BOUND, message);
    if (charsBound >= 0) {
      // more characters than charsBound tokens can hold: the prompt has more than charsBound tokens
      minimum = Math.max(minimum, charsBound + 1L + Math.max(output, 0));
    }
    if (output > 0) {
      minimum = Math.max(minimum, output + 1L);
    }
    return new ContextLengthError(param, message, tokens, exact, context, minimum);
  }

  private static int first(Pattern p, String message) {
    Matcher m = p.matcher(message);
    return m.find() ? toInt(m.group(1)) : -1;
  }

  private static int first(Pattern[] patterns, String message) {
    for (Pattern p : patterns) {
      int v = first(p, message);
      if (v >= 0) {
        return v;
      }
    }
    return -1;
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
