package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.error.FailureKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * An error event that an upstream sent inside a 2xx event stream. Once its response has started, vLLM
 * reports a failure as {@code data: {"error": {"message","type","param","code"}}} followed by
 * {@code data: [DONE]}, all on an HTTP 200 ({@code chat_completion_stream_generator} in
 * {@code vllm/entrypoints/openai/chat_completion/serving.py}); SGLang does the same, including for a prompt
 * too long for the model. Parsed on the error path only.
 *
 * @param kind          what the failure says about the request and the endpoint
 * @param status        the HTTP status the error stands for: its numeric {@code code}, else one implied by its
 *                      {@code type}, else 500
 * @param message       its message ("" when it has none)
 * @param contextLength the rejection it describes when {@code kind} is {@link Kind#CONTEXT_LENGTH}, else null
 */
public record StreamError(Kind kind, int status, String message, ContextLengthError contextLength) {

  /** Whose fault, and so whether another try can help. */
  public enum Kind {
    /** Too long for this pool's context: a larger pool may serve it. */
    CONTEXT_LENGTH,
    /** Any other 4xx but 429: the request's own fault, which every endpoint would repeat. */
    CLIENT,
    /** 429 or 503: the endpoint is busy (vLLM's queue limits), not broken; another one may serve it. */
    OVERLOADED,
    /**
     * 5xx or no status: the endpoint failed. vLLM's {@code GenerationError} ("Internal server error", sent
     * when the engine finishes a request with reason {@code error}) is retryable by vLLM's own account.
     */
    SERVER
  }

  /**
   * The error in one event's data, or empty when the data is neither an {@code {"error": ...}} object nor one of
   * {@code "type":"error"}.
   */
  public static Optional<StreamError> parse(Buffer data) {
    JsonObject json;
    try {
      json = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
    Object value = json.getValue("error");
    JsonObject error;
    if (value instanceof JsonObject o) {
      error = o;   // chat's {"error":{...}}, or Anthropic's {"type":"error","error":{...}}
    } else if (value instanceof String s) {
      error = new JsonObject().put("message", s); // {"error":"..."}: a bare message
    } else if ("error".equals(json.getValue("type"))) {
      error = json;   // the Responses API's {"type":"error","code":...,"message":...}
    } else {
      return Optional.empty();
    }
    String message = error.getValue("message") instanceof String s ? s : "";
    int status = statusOf(error);
    ContextLengthError tooLong = status == 429 || status == 503
        ? null : ContextLengthError.inError(error).orElse(null);
    Kind kind;
    if (tooLong != null) {
      kind = Kind.CONTEXT_LENGTH;
    } else if (status == 429 || status == 503) {
      kind = Kind.OVERLOADED;
    } else if (status >= 400 && status < 500) {
      kind = Kind.CLIENT;
    } else {
      kind = Kind.SERVER;
    }
    return Optional.of(new StreamError(kind, status, message, tooLong));
  }

  /**
   * The failure table's row for this error: a context-length misroute, a busy endpoint (as vLLM's 503), an
   * endpoint's failure; null for the client's own error, which goes to the client as it came and is no failure
   * of Sluice's or the upstream's.
   */
  public FailureKind failure() {
    return switch (kind) {
      case CONTEXT_LENGTH -> FailureKind.CONTEXT_LENGTH_EXCEEDED;
      case OVERLOADED -> FailureKind.UPSTREAM_UNAVAILABLE;
      case SERVER -> FailureKind.UPSTREAM_STREAM_ERROR;
      case CLIENT -> null;
    };
  }

  private static int statusOf(JsonObject error) {
    if (error.getValue("code") instanceof Number n && n.intValue() >= 100 && n.intValue() <= 599) {
      return n.intValue();
    }
    String type = error.getValue("type") instanceof String s ? s : "";
    if (type.contains("BadRequest") || type.equals("invalid_request_error")) {
      return 400;
    }
    if (type.contains("NotFound")) {
      return 404;
    }
    if (type.contains("RateLimit")) {
      return 429;
    }
    if (type.contains("ServiceUnavailable") || type.contains("Overloaded")) {
      return 503;
    }
    return 500;
  }
}
