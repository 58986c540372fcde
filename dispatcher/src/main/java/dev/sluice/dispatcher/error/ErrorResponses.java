package dev.sluice.dispatcher.error;

import dev.sluice.dispatcher.api.Api;
import dev.sluice.dispatcher.api.Api.ErrorShape;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Renders failures in the shape the request's API uses: OpenAI's {@code {"error":{"message","type","param","code"}}},
 * or on {@code /v1/messages} Anthropic's {@code {"type":"error","error":{"type","message"}}} (the type named after
 * the status as Anthropic's API names it). The only place that writes an error body or an SSE error event.
 * Messages reach clients, so callers never put an upstream's address in them; that goes to the access log with
 * the request id.
 */
public final class ErrorResponses {
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");
  private static final CharSequence RETRY_AFTER_SECONDS = HttpHeaders.createOptimized("1");
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");

  private ErrorResponses() {
  }

  /** The JSON body for a failure, in OpenAI's shape. */
  public static Buffer body(FailureKind kind, String message, String param) {
    return body(ErrorShape.OPENAI, kind, message, param);
  }

  /** The JSON body for a failure, in {@code shape}. */
  public static Buffer body(ErrorShape shape, FailureKind kind, String message, String param) {
    if (shape == ErrorShape.ANTHROPIC) {
      JsonObject error = new JsonObject().put("type", anthropicType(kind.status())).put("message", message);
      return new JsonObject().put("type", "error").put("error", error).toBuffer();
    }
    JsonObject error = new JsonObject()
        .put("message", message)
        .put("type", kind.type())
        .put("param", param)
        .put("code", kind.code());
    return new JsonObject().put("error", error).toBuffer();
  }

  /**
   * Anthropic's error type for a status (its API's table of errors); a status that table lacks takes the type of
   * its class.
   */
  static String anthropicType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /**
   * One SSE event carrying the error, for a stream of {@code api} that already started: chat's {@code data:} line
   * with the error object; the Responses API's {@code error} event; Anthropic's {@code error} event.
   */
  public static Buffer sseEvent(Api api, FailureKind kind, String message) {
    return switch (api) {
      case RESPONSES -> {
        JsonObject event = new JsonObject().put("type", "error").put("code", kind.code()).put("message", message)
            .putNull("param");
        yield Buffer.buffer("event: error\ndata: ").appendBuffer(event.toBuffer()).appendString("\n\n");
      }
      case MESSAGES -> Buffer.buffer("event: error\ndata: ")
          .appendBuffer(body(ErrorShape.ANTHROPIC, kind, message, null)).appendString("\n\n");
      default -> Buffer.buffer("data: ").appendBuffer(body(kind, message, null)).appendString("\n\n");
    };
  }

  /**
   * Writes the failure as the whole response, with its row's status. {@code closeConnection} asks to close the
   * connection afterwards, for requests whose body was not read; {@code retryAfterSeconds} 0 keeps the kind's
   * default. Completes when the response is written; does nothing when a response was already started.
   */
  public static Future<Void> send(HttpServerResponse response, FailureKind kind, String message, String param,
      boolean closeConnection, int retryAfterSeconds) {
    return send(response, ErrorShape.OPENAI, kind, message, param, closeConnection, retryAfterSeconds);
  }

  /** The same, in {@code shape}. */
  public static Future<Void> send(HttpServerResponse response, ErrorShape shape, FailureKind kind, String message,
      String param, boolean closeConnection, int retryAfterSeconds) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    response.setStatusCode(kind.status());
    response.headers().set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    if (retryAfterSeconds > 0) {
      response.headers().set(RETRY_AFTER, Integer.toString(retryAfterSeconds));
    } else if (kind.transientOverload()) {
      response.headers().set(RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    if (closeConnection) {
      response.headers().set(HttpHeaders.CONNECTION, CLOSE);
    }
    return response.end(body(shape, kind, message, param));
  }

  /** A refusal as the whole response. */
  public static Future<Void> send(HttpServerResponse response, Refusal refusal, boolean closeConnection) {
    return send(response, refusal.kind(), refusal.getMessage(), refusal.param(), closeConnection,
        refusal.retryAfterSeconds());
  }
}
