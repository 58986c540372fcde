package dev.sluice.dispatcher.error;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Renders failures in OpenAI's error shape {@code {"error":{"message","type","param","code"}}}: the only place
 * that writes an error body or an SSE error event. Messages reach clients, so callers never put an upstream's
 * address in them; that goes to the access log with the request id.
 */
public final class ErrorResponses {
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");
  private static final CharSequence RETRY_AFTER_SECONDS = HttpHeaders.createOptimized("1");
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");

  private ErrorResponses() {
  }

  /** The JSON body for a failure. */
  public static Buffer body(FailureKind kind, String message, String param) {
    JsonObject error = new JsonObject()
        .put("message", message)
        .put("type", kind.type())
        .put("param", param)
        .put("code", kind.code());
    return new JsonObject().put("error", error).toBuffer();
  }

  /** One SSE event carrying the error, for a stream that already started. */
  public static Buffer sseEvent(FailureKind kind, String message) {
    return Buffer.buffer("data: ").appendBuffer(body(kind, message, null)).appendString("\n\n");
  }

  /**
   * Writes the failure as the whole response, with its row's status. {@code closeConnection} asks to close the
   * connection afterwards, for requests whose body was not read; {@code retryAfterSeconds} 0 keeps the kind's
   * default. Completes when the response is written; does nothing when a response was already started.
   */
  public static Future<Void> send(HttpServerResponse response, FailureKind kind, String message, String param,
      boolean closeConnection, int retryAfterSeconds) {
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
    return response.end(body(kind, message, param));
  }

  /** A refusal as the whole response. */
  public static Future<Void> send(HttpServerResponse response, Refusal refusal, boolean closeConnection) {
    return send(response, refusal.kind(), refusal.getMessage(), refusal.param(), closeConnection,
        refusal.retryAfterSeconds());
  }
}
