package dev.sluice.dispatcher.protocol;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** A whole JSON response in one call: status, content type, body. */
public final class JsonReply {
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private JsonReply() {
  }

  public static Future<Void> send(HttpServerResponse response, int status, JsonObject body) {
    return send(response, status, body.toBuffer());
  }

  /** A body already encoded (a cached answer). */
  public static Future<Void> send(HttpServerResponse response, int status, Buffer json) {
    return response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(json);
  }
}
