package dev.sluice.dispatcher.pipeline;

import dev.sluice.dispatcher.call.Call;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Ladder;
import dev.sluice.dispatcher.pool.Pool;
import dev.sluice.dispatcher.pool.PoolSet;
import dev.sluice.dispatcher.pool.Upstreams;
import dev.sluice.dispatcher.protocol.JsonReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /v1/models}. A node with {@code models:} answers from them alone: every model and alias, each with the
 * largest context of its ladder as {@code max_model_len} (through Sluice a request that fits any of its pools is
 * served). Without, it asks every endpoint of every pool (with the pool's upstream key), each within a timeout,
 * and merges the lists by model id, keeping the largest {@code max_model_len} any upstream states. An endpoint
 * that is down, slow or drained is left out; only when none answers is the result an error. The merged list is
 * kept for {@code cacheMs} and shared by every event loop, and the lookups of one refresh are shared by every
 * request that arrives meanwhile, so clients polling it do not fan out to the fleet.
 */
public final class ModelList {
  /** A merged list and when it was made. */
  private record Merged(Buffer body, long atNanos) {
  }

  private final Upstreams upstreams;
  private final long timeoutMs;
  private final long cacheNanos;
  private volatile Merged merged;
  private final AtomicReference<Future<Merged>> refreshing = new AtomicReference<>();

  public ModelList(Upstreams upstreams, long timeoutMs, long cacheMs) {
    this.upstreams = upstreams;
    this.timeoutMs = timeoutMs;
    this.cacheNanos = cacheMs * 1_000_000L;
  }

  /** Answers {@code call}, a {@code GET} (the front checked the method). */
  public void serve(Call call) {
    PoolSet pools = upstreams.current();
    if (pools.hasModels()) {
      answer(call, new Merged(configured(pools), System.nanoTime()));
      return;
    }
    Merged known = merged;
    if (known != null && System.nanoTime() - known.atNanos() < cacheNanos) {
      answer(call, known);
      return;
    }
    Context here = Vertx.currentContext();
    refresh().onComplete(ar -> here.runOnContext(v -> {
      if (ar.succeeded()) {
        answer(call, ar.result());
      } else {
        call.refuse(FailureKind.UPSTREAM_UNREACHABLE, "no upstream answered /v1/models", null);
      }
    }));
  }

  /** The configured models and aliases, in OpenAI's list shape. */
  private static Buffer configured(PoolSet pools) {
    JsonArray data = new JsonArray();
    long created = System.currentTimeMillis() / 1000;
    List<Ladder> ladders = new ArrayList<>(pools.models());
    ladders.sort(Comparator.comparing(Ladder::model));
    for (Ladder ladder : ladders) {
      for (String name : ladder.names()) {
        data.add(new JsonObject().put("id", name).put("object", "model").put("created", created)
            .put("owned_by", "sluice").put("root", ladder.model())
            .put("max_model_len", ladder.largest().context()));
      }
    }
    return new JsonObject().put("object", "list").put("data", data).toBuffer();
  }

  private static void answer(Call call, Merged list) {
    JsonReply.send(call.response(), 200, list.body());
    call.answered(200);
  }

  /** The refresh in progress, or a new one. */
  private Future<Merged> refresh() {
    for (;;) {
      Future<Merged> running = refreshing.get();
      if (running != null) {
        return running;
      }
      Promise<Merged> mine = Promise.promise();
      if (refreshing.compareAndSet(null, mine.future())) {
        // asked from this loop, with this loop's upstream clients
        askAll((ContextInternal) Vertx.currentContext()).onComplete(ar -> {
          if (ar.succeeded()) {
            merged = ar.result();
          }
          refreshing.set(null);
          mine.handle(ar);
        });
        return mine.future();
      }
    }
  }

  private Future<Merged> askAll(ContextInternal context) {
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (Pool pool : upstreams.current().pools()) {
      for (Endpoint e : pool.endpoints()) {
        if (!e.health().drained()) {
          asks.add(ask(context, pool, e));
        }
      }
    }
    return Future.join(asks).transform(ignored -> {
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      int answered = 0;
      for (Future<JsonObject> f : asks) {
        if (f.succeeded()) {
          answered++;
          merge(byId, f.result());
        }
      }
      if (answered == 0) {
        return Future.failedFuture("no upstream answered");
      }
      Buffer body = new JsonObject().put("object", "list").put("data", new JsonArray(new ArrayList<>(byId.values())))
          .toBuffer();
      return Future.succeededFuture(new Merged(body, System.nanoTime()));
    });
  }

  private Future<JsonObject> ask(ContextInternal context, Pool pool, Endpoint e) {
    RequestOptions options = e.request(HttpMethod.GET, "/v1/models")
        .setConnectTimeout(timeoutMs)
        .setIdleTimeout(timeoutMs);
    String auth = pool.upstreamAuthorization();
    if (auth != null) {
      // vLLM started with --api-key asks for it on /v1/models too
      options.putHeader(HttpHeaders.AUTHORIZATION, auth);
    }
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
