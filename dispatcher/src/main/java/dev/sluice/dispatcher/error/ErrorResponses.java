package dev.sluice.dispatcher.error;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Renders failures in OpenAI's error shape {@code {"error":{"message","type","param","code"}}}. */
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
   * Writes the failure as the whole response. {@code closeConnection} asks to close it afterwards, for
   * requests whose body was not read.
   */
  public static void send(HttpServerResponse response, DispatchFailure failure, boolean closeConnection) {
    send(response, failure.kind(), failure.getMessage(), failure.param(), closeConnection);
  }

  public static void send(HttpServerResponse response, FailureKind kind, String message, String param,
      boolean closeConnection) {
    send(response, kind, message, param, closeConnection, 0);
  }

  /** As above, with an explicit {@code Retry-After} in seconds (0 keeps the default for the kind). */
  public static void send(HttpServerResponse response, FailureKind kind, String message, String param,
      boolean closeConnection, int retryAfterSeconds) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return;
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
    response.end(body(kind, message, param));
  }
}
