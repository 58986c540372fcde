package dev.sluice.dispatcher.pipeline;

import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.protocol.JsonReply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/models}: asks every endpoint of every pool, each within a timeout, and merges the lists by model
 * id, keeping the largest {@code max_model_len} any upstream states. An endpoint that is down or slow is left
 * out; only when none answers is the result an error.
 */
public final class ModelList {
  private final Upstreams upstreams;
  private final long timeoutMs;

  public ModelList(Upstreams upstreams, long timeoutMs) {
    this.upstreams = upstreams;
    this.timeoutMs = timeoutMs;
  }

  /** Answers {@code call}, a {@code GET} (the front checked the method), on its event loop. */
  public void serve(Call call) {
    ContextInternal context = (ContextInternal) Vertx.currentContext();
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (Pool pool : upstreams.current().pools()) {
      for (Endpoint e : pool.endpoints()) {
        asks.add(ask(context, pool, e));
      }
    }
    Future.join(asks).onComplete(ignored -> {
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      int answered = 0;
      for (Future<JsonObject> f : asks) {
        if (f.succeeded()) {
          answered++;
          merge(byId, f.result());
        }
      }
      if (answered == 0) {
        call.refuse(FailureKind.UPSTREAM_UNREACHABLE, "no upstream answered /v1/models", null);
        return;
      }
      JsonReply.send(call.response(), 200,
          new JsonObject().put("object", "list").put("data", new JsonArray(new ArrayList<>(byId.values()))));
      call.answered(200);
    });
  }

  private Future<JsonObject> ask(ContextInternal context, Pool pool, Endpoint e) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(e.host())
        .setPort(e.port())
        .setSsl(e.ssl())
        .setURI(e.uri("/v1/models"))
        .setConnectTimeout(timeoutMs)
        .setIdleTimeout(timeoutMs);
    return pool.client(context).request(options)
        .compose(req -> req.send())
        .compose(r -> r.statusCode() == 200 ? r.body() : failed(r))
        .map(JsonObject::new)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static Future<Buffer> failed(HttpClientResponse r) {
    return Future.failedFuture("status " + r.statusCode());
  }

  private static void merge(Map<String, JsonObject> byId, JsonObject list) {
    JsonArray data = list.getJsonArray("data");
    if (data == null) {
      return;
    }
    for (Object o : data) {
      if (!(o instanceof JsonObject model) || !(model.getValue("id") instanceof String id)) {
        continue;
      }
      JsonObject known = byId.get(id);
      if (known == null) {
        byId.put(id, model.copy());
      } else if (model.getValue("max_model_len") instanceof Number len
          && !(known.getValue("max_model_len") instanceof Number had && had.longValue() >= len.longValue())) {
        // the largest: through Sluice a request that fits any pool is served, so the fleet's limit is the max
        known.put("max_model_len", len);
      }
    }
  }
}
