package dev.sluice.mock;

import dev.sluice.engine.Engine;
import dev.sluice.engine.EngineListener;
import dev.sluice.engine.RequestTimes;
import dev.sluice.engine.TokenIds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A vLLM OpenAI-compatible server whose capacity and timing come from the {@link Engine} model, driven in real
 * time (optionally scaled) on this verticle's event loop. Deploy one instance: one engine per process.
 *
 * <p>Driving: the virtual clock is {@code (wall - start) * timeScale}. After every arrival and every timer the
 * engine runs all steps that end by the current virtual time, then a timer is set for the end of the step in
 * flight. With {@code instant} timing every step ends when it starts, so a request is answered in the same
 * event-loop turn that admitted it.
 */
public final class MockVllm extends VerticleBase {

  private static final String CT_JSON = "application/json";
  private static final String CT_SSE = "text/event-stream; charset=utf-8";
  /** What vLLM says when the engine finishes a request with reason "error" ({@code GenerationError}). */
  private static final String GENERATION_ERROR = "Internal server error";
  private static final String GENERATION_ERROR_TYPE = "InternalServerError";

  /** One admitted request. */
  private static final class Live {
    final long id;
    final HttpServerRequest request;
    final boolean chat;
    final boolean stream;
    final boolean includeUsage;
    final Wire.ChunkUsage chunkUsage;
    final int promptTokens;
    final int outputTokens;
    final String finishReason;
    final Faults.Kind fault;
    final long arrivalWall;
    final long created;
    /** How an endpoint other than chat and completions writes this request; null for those two. */
    final Endpoint.Answer answer;
    long firstTokenWall;

    Live(long id, HttpServerRequest request, boolean chat, MockRequest r, int promptTokens, int outputTokens,
        String finishReason, Faults.Kind fault, long arrivalWall, MockConfig.Api api) {
      this.id = id;
      this.request = request;
      this.chat = chat;
      this.stream = r.stream();
      this.includeUsage = r.includeUsage(api.version());
      this.chunkUsage = r.continuousUsage(api.version()) ? Wire.ChunkUsage.SO_FAR
          : includeUsage && api.usageNullChunks() ? Wire.ChunkUsage.NULL : Wire.ChunkUsage.NONE;
      this.promptTokens = promptTokens;
      this.outputTokens = outputTokens;
      this.finishReason = finishReason;
      this.fault = fault;
      this.arrivalWall = arrivalWall;
      this.created = System.currentTimeMillis() / 1000;
      this.answer = null;
    }

    /** A request of the Responses or the Messages API, written by its answer. */
    Live(long id, HttpServerRequest request, boolean stream, int promptTokens, Endpoint.Plan plan,
        long arrivalWall) {
      this.id = id;
      this.request = request;
      this.chat = true;
      this.stream = stream;
      this.includeUsage = false;
      this.chunkUsage = Wire.ChunkUsage.NONE;
      this.promptTokens = promptTokens;
      this.outputTokens = plan.outputTokens();
      this.finishReason = null;
      this.fault = Faults.Kind.NONE;
      this.arrivalWall = arrivalWall;
      this.created = System.currentTimeMillis() / 1000;
      this.answer = plan.answer();
    }
  }

  private final MockConfig config;
  private final PromptCounter counter;
  private final int[] outputCycle;
  private final byte[] modelJson;
  private final Metrics metrics;
  private final Map<Long, Live> live = new HashMap<>();
  private final ResponsesApi.Store responses = new ResponsesApi.Store(MockDefaults.STORED_RESPONSES);
  private final SplittableRandom faultRandom;
  private Engine engine;
  private HttpServer server;
  private Buffer modelsBody;
  private long startWall;
  private long nextId = 1;
  private long timerId = -1;
  private long completionRequests;
  private boolean dead;

  public MockVllm(MockConfig config) {
    this.config = config;
    this.counter = new PromptCounter(config.tokenizer());
    this.outputCycle = counter.outputCycle(Wire.WORDS);
    this.modelJson = Wire.jsonString(config.model());
    this.metrics = new Metrics(config.model());
    this.faultRandom = new SplittableRandom(config.faults().seed());
  }

  @Override
  public Future<?> start() {
    engine = Engine.byTokenIds(config.shape(), config.cost(), new Events());
    startWall = System.nanoTime();
    // one card per served name, each with max_model_len (OpenAIModelRegistry.show_available_models); vLLM's root
    // is the --model path, which the mock does not have apart from the names: it reports the first name
    JsonArray cards = new JsonArray();
    for (String name : config.models()) {
      cards.add(new JsonObject().put("id", name).put("object", "model").put("created", System.currentTimeMillis() / 1000)
          .put("owned_by", "vllm").put("root", config.model()).putNull("parent")
          .put("max_model_len", config.shape().maxModelLen()).put("permission", new JsonArray()));
    }
    modelsBody = new JsonObject().put("object", "list").put("data", cards).toBuffer();
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .setTcpNoDelay(true).setIdleTimeout(0));
    server.requestHandler(this::handle);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port actually bound. */
  public int actualPort() {
    return server.actualPort();
  }

  /** The engine this server drives (read it on the verticle's context only). */
  public Engine engine() {
    return engine;
  }

  /** Requests admitted and not yet finished or aborted. */
  public int liveRequests() {
    return live.size();
  }

  // ---- routing ---------------------------------------------------------------------------------------------

  private void handle(HttpServerRequest req) {
    String path = req.path();
    HttpMethod method = req.method();
    if (method == HttpMethod.POST && path.equals("/v1/chat/completions")) {
      completion(req, true);
    } else if (method == HttpMethod.POST && path.equals("/v1/completions")) {
      completion(req, false);
    } else if (method == HttpMethod.POST && path.equals("/v1/responses")) {
      generate(req, body -> ResponsesApi.parse(body, config, counter, responses));
    } else if (method == HttpMethod.POST && path.equals("/v1/messages")) {
      generate(req, body -> MessagesApi.parse(body, config, counter));
    } else if (method == HttpMethod.POST && path.equals("/v1/embeddings")) {
      Embeddings.handle(req, config, counter, vertx);
    } else if (method == HttpMethod.POST && path.equals("/tokenize")) {
      Tokenize.handle(req, config, counter, vertx);
    } else if (method == HttpMethod.POST && path.equals("/detokenize")) {
      Tokenize.detokenize(req, config, counter);
    } else if (method == HttpMethod.GET && path.equals("/health")) {
      req.response().end();
    } else if (method == HttpMethod.GET && path.equals("/v1/models")) {
      req.response().putHeader("content-type", CT_JSON).end(modelsBody);
    } else if (method == HttpMethod.GET && path.equals("/metrics")) {
      req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.render(engine));
    } else {
      req.response().setStatusCode(404).putHeader("content-type", CT_JSON).end("{\"detail\":\"Not Found\"}");
    }
  }

  private void completion(HttpServerRequest req, boolean chat) {
    long arrival = System.nanoTime();
    if (dead) {
      req.connection().close();
      return;
    }
    completionRequests++;
    if (config.faults().dieAfter() > 0 && completionRequests > config.faults().dieAfter()) {
      die();
      req.connection().close();
      return;
    }
    Faults.Kind fault = config.faults().draw(faultRandom);
    switch (fault) {
      case ERROR_503 -> {
        sendError(req, 503, "The server is temporarily unable to serve requests", "ServiceUnavailableError", null);
        return;
      }
      case ERROR_500 -> {
        sendError(req, 500, "Internal server error", "InternalServerError", null);
        return;
      }
      case HANG -> {
        return;  // never answer; the request stays open until the client gives up
      }
      default -> {
      }
    }
    req.body().onSuccess(body -> onBody(req, body, chat, fault, arrival))
        .onFailure(err -> sendError(req, 400, err.getMessage(), "BadRequestError", null));
  }

  private void onBody(HttpServerRequest req, Buffer body, boolean chat, Faults.Kind fault, long arrival) {
    if (fault == Faults.Kind.GARBAGE) {
      req.response().putHeader("content-type", CT_SSE).end("\u0000\u0007garbage <<not an event stream>> {{{\n");
      return;
    }
    MockRequest parsed;
    try {
      parsed = MockRequest.parse(body.getBytes(), chat);
    } catch (MockRequest.Invalid e) {
      refuse(req, e, false);
      return;
    }
    if (!config.serves(parsed.model())) {
      sendError(req, 404, "The model `" + parsed.model() + "` does not exist.", "NotFoundError", "model");
      return;
    }
    if (counter.isExpensive(parsed.textChars())) {
      vertx.executeBlocking(() -> promptIds(parsed, chat))
          .onSuccess(ids -> admit(req, parsed, chat, ids, fault, arrival))
          .onFailure(err -> sendError(req, 500, err.toString(), "InternalServerError", null));
    } else {
      admit(req, parsed, chat, promptIds(parsed, chat), fault, arrival);
    }
  }

  private int[] promptIds(MockRequest r, boolean chat) {
    return chat ? counter.chatPromptIds(r.texts(), r.roles(), r.messageEnds())
        : counter.completionPromptIds(r.texts(), r.tokenIds());
  }

  /** Parses a body into an endpoint's request, or refuses it in the endpoint's shape. */
  @FunctionalInterface
  interface EndpointParser {
    Endpoint parse(byte[] body) throws Endpoint.Refused;
  }

  /**
   * An endpoint that generates through the engine besides chat and completions (Responses, Messages): its body is
   * parsed and checked by its own class, counted like a chat prompt, then driven like any other request. Faults and
   * the v0.11 wording apply to chat and completions only.
   */
  private void generate(HttpServerRequest req, EndpointParser parser) {
    long arrival = System.nanoTime();
    req.body().onSuccess(body -> {
      Endpoint endpoint;
      try {
        endpoint = parser.parse(body.getBytes());
      } catch (Endpoint.Refused r) {
        send(req, r);
        return;
      }
      MockRequest prompt = endpoint.prompt();
      if (counter.isExpensive(prompt.textChars())) {
        vertx.executeBlocking(() -> promptIds(prompt, true))
            .onSuccess(ids -> admit(req, endpoint, ids, arrival))
            .onFailure(err -> sendError(req, 500, err.toString(), "InternalServerError", null));
      } else {
        admit(req, endpoint, promptIds(prompt, true), arrival);
      }
    }).onFailure(err -> sendError(req, 400, err.getMessage(), "BadRequestError", null));
  }

  private void admit(HttpServerRequest req, Endpoint endpoint, int[] promptIds, long arrival) {
    HttpServerResponse response = req.response();
    if (response.closed() || dead) {
      return;
    }
    int queueLimit = config.api().maxNumQueuedReqs();
    if (queueLimit > 0 && live.size() + 1 > queueLimit) {
      send(req, new Endpoint.Refused(503, endpoint.error(503, overloaded(), "ServiceUnavailableError", null)));
      return;
    }
    long id = nextId;
    Endpoint.Plan plan;
    try {
      plan = endpoint.admit(id, promptIds.length);
    } catch (Endpoint.Refused r) {
      send(req, r);
      return;
    }
    nextId++;
    engine.submit(virtualNow(), id, new TokenIds(promptIds, outputCycle), plan.outputTokens());
    boolean stream = endpoint.prompt().stream();
    live.put(id, new Live(id, req, stream, promptIds.length, plan, arrival));
    response.closeHandler(v -> clientGone(id));
    if (stream) {
      // headers go out at once, as Starlette's StreamingResponse sends them before the first event
      response.setChunked(true).putHeader("content-type", CT_SSE);
      response.writeHead();
      Buffer head = plan.answer().head();
      if (head.length() > 0) {
        response.write(head);
      }
    }
    pump();
  }

  /** vLLM's refusal beyond {@code --max-num-queued-reqs}. */
  private String overloaded() {
    return "The server is overloaded: " + live.size() + " requests are in flight and max_num_queued_reqs is "
        + config.api().maxNumQueuedReqs() + ". Please retry later.";
  }

  private static void send(HttpServerRequest req, Endpoint.Refused r) {
    HttpServerResponse response = req.response();
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(r.status).putHeader("content-type", CT_JSON).end(r.body);
    }
  }

  /** Applies vLLM's admission and length validation, then queues the request in the engine. */
  private void admit(HttpServerRequest req, MockRequest r, boolean chat, int[] promptIds, Faults.Kind fault,
      long arrival) {
    int prompt = promptIds.length;
    HttpServerResponse response = req.response();
    if (response.closed() || dead) {
      return;
    }
    MockConfig.Api api = config.api();
    if (api.maxNumQueuedReqs() > 0 && live.size() + 1 > api.maxNumQueuedReqs()) {
      // --max-num-queued-reqs caps waiting plus running; chat checks it before rendering (_preflight)
      sendError(req, 503, overloaded(), "ServiceUnavailableError", null);
      return;
    }
    int maxLen = config.shape().maxModelLen();
    MockRequest.Invalid refusal = api.version() == VllmVersion.CURRENT ? rendererLengthCheck(r, prompt)
        : validateInputV011(r, chat, prompt);
    if (refusal != null) {
      refuse(req, refusal, r.stream() && api.lengthErrorsInStream());
      return;
    }
    int output;
    String finishReason;
    if (r.maxTokens() < 0) {
      output = Math.min(config.defaultMaxTokens(), maxLen - prompt);
      finishReason = output < config.defaultMaxTokens() ? "length" : "stop";
      if (output < 1) {
        // get_max_tokens leaves max_model_len - prompt = 0, which SamplingParams refuses
        refuse(req, new MockRequest.Invalid("max_tokens must be at least 1, got 0.", "max_tokens", 0), false);
        return;
      }
    } else {
      output = r.maxTokens();
      finishReason = "length";
    }
    if (fault == Faults.Kind.IN_STREAM) {
      // the engine fails the request before its first output: the stream's first event is the error
      if (r.stream()) {
        response.putHeader("content-type", CT_SSE).end(Wire.errorEventAndDone(GENERATION_ERROR,
            GENERATION_ERROR_TYPE, 500));
      } else {
        sendError(req, 500, GENERATION_ERROR, GENERATION_ERROR_TYPE, null);
      }
      return;
    }
    long id = nextId++;
    try {
      engine.submit(virtualNow(), id, new TokenIds(promptIds, outputCycle), output);
    } catch (IllegalArgumentException e) {
      sendError(req, 400, e.getMessage(), "BadRequestError", null);
      return;
    }
    Live l = new Live(id, req, chat, r, prompt, output, finishReason, fault, arrival, api);
    live.put(id, l);
    response.closeHandler(v -> clientGone(id));
    if (l.stream) {
      response.setChunked(true).putHeader("content-type", CT_SSE);
      response.writeHead();
    }
    pump();
  }

  /**
   * Current vLLM's length checks, in their order: {@code TokenizeParams.__post_init__}, {@code _text_len_check}
   * and {@code _token_len_check} ({@code vllm/renderers/params.py}), with the param names of
   * {@code ChatCompletionRequest.build_tok_params}. Null when the request fits.
   */
  private MockRequest.Invalid rendererLengthCheck(MockRequest r, int prompt) {
    int total = config.shape().maxModelLen();
    int output = Math.max(0, r.maxTokens());
    if (output > total) {
      return new MockRequest.Invalid(r.maxTokensParam() + "=" + output + "cannot be greater than max_model_len="
          + "max_total_tokens=" + total + ". Please request fewer output tokens.", r.maxTokensParam(), output);
    }
    int maxInput = total - output;
    long maxChars = (long) maxInput * counter.maxCharsPerToken();
    boolean text = r.promptTokenIds() == 0;
    if (text && r.textChars() > maxChars) {
      return new MockRequest.Invalid("This model's maximum context length is " + total + " tokens. However, you "
          + "requested " + output + " output tokens and your prompt contains " + r.textChars() + " characters "
          + "(more than " + maxChars + " characters, which is the upper bound for " + maxInput + " input tokens). "
          + "Please reduce the length of the input prompt or the number of requested output tokens.", "input_text",
          r.textChars());
    }
    if (prompt > maxInput) {
      // text is tokenized with max_length = max_input_tokens + 1 (get_encode_kwargs): one token over, not the count
      int count = text ? maxInput + 1 : prompt;
      String atLeast = text ? "at least " : "";
      return new MockRequest.Invalid("This model's maximum context length is " + total + " tokens. However, you "
          + "requested " + output + " output tokens and your prompt contains " + atLeast + count + " input tokens, "
          + "for a total of " + atLeast + (count + output) + " tokens. Please reduce the length of the input prompt "
          + "or the number of requested output tokens.", "input_tokens", count);
    }
    return null;
  }

  /** v0.11's {@code _validate_input} ({@code vllm/entrypoints/openai/serving_engine.py}): exact counts. */
  private MockRequest.Invalid validateInputV011(MockRequest r, boolean chat, int prompt) {
    int maxLen = config.shape().maxModelLen();
    if (prompt >= maxLen) {
      return new MockRequest.Invalid("This model's maximum context length is " + maxLen + " tokens. However, your "
          + "request has " + prompt + " input tokens. Please reduce the length of the input "
          + (chat ? "messages." : "prompt."), "input_tokens");
    }
    if (r.maxTokens() > maxLen - prompt) {
      return new MockRequest.Invalid("'max_tokens' or 'max_completion_tokens' is too large: " + r.maxTokens()
          + ". This model's maximum context length is " + maxLen + " tokens and your request has " + prompt
          + " input tokens (" + r.maxTokens() + " > " + maxLen + " - " + prompt + ").", "max_tokens");
    }
    return null;
  }

  /**
   * A 400 in vLLM's shape; current vLLM's validation errors end with {@code " (parameter=p, value=v)"}. With
   * {@code inStream} (SGLang's way for a stream) the refusal is a 200 whose stream is the error event.
   */
  private void refuse(HttpServerRequest req, MockRequest.Invalid e, boolean inStream) {
    String message = config.api().version() == VllmVersion.CURRENT ? e.vllmMessage() : e.getMessage();
    if (inStream) {
      req.response().putHeader("content-type", CT_SSE).end(Wire.errorEventAndDone(message, "BadRequestError", 400));
    } else {
      sendError(req, 400, message, "BadRequestError", e.param);
    }
  }

  private void clientGone(long id) {
    Live l = live.remove(id);
    if (l != null) {
      engine.abort(id);
      // may run inside an engine callback: drive the engine again from a fresh event-loop turn
      context.runOnContext(v -> pump());
    }
  }

  private void sendError(HttpServerRequest req, int status, String message, String type, String param) {
    HttpServerResponse response = req.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", CT_JSON).end(Wire.error(message, type, param, status));
  }

  private void die() {
    dead = true;
    List<Live> all = new ArrayList<>(live.values());
    live.clear();
    for (Live l : all) {
      engine.abort(l.id);
      l.request.connection().close();
    }
    server.close();
    if (config.exitOnDeath()) {
      System.err.println("mock-vllm: dying after " + config.faults().dieAfter() + " requests (fault injection)");
      new Thread(() -> System.exit(3), "mock-vllm-exit").start();
    }
  }

  // ---- the clock -------------------------------------------------------------------------------------------

  private long virtualNow() {
    double elapsed = System.nanoTime() - startWall;
    return Math.max(engine.now(), (long) (elapsed * config.timeScale()));
  }

  /** Runs every step that has ended by now, then sets a timer for the step in flight. */
  private void pump() {
    long now = virtualNow();
    long end;
    while ((end = engine.nextStepEnd()) <= now) {
      engine.advanceTo(end);
    }
    if (end != Long.MAX_VALUE && timerId < 0) {
      double wallNanos = (end - now) / config.timeScale();
      long delayMs = Math.max(1, (long) Math.ceil(wallNanos / 1_000_000.0));
      timerId = vertx.setTimer(delayMs, t -> {
        timerId = -1;
        pump();
      });
    }
  }

  // ---- engine events -> HTTP ---------------------------------------------------------------------------------

  private final class Events implements EngineListener {

    @Override
    public void onToken(long id, int index, long timeNanos) {
      Live l = live.get(id);
      if (l == null) {
        return;
      }
      if (index == 0) {
        l.firstTokenWall = System.nanoTime();
      }
      if (!l.stream) {
        return;
      }
      HttpServerResponse response = l.request.response();
      if (l.answer != null) {
        response.write(l.answer.token(index, index == l.outputTokens - 1));
        return;
      }
      if (index == 0 && l.chat) {
        response.write(Wire.roleChunk(id, l.created, modelJson, l.chunkUsage, l.promptTokens));
      }
      boolean last = index == l.outputTokens - 1;
      response.write(Wire.tokenChunk(l.chat, id, l.created, modelJson, index, last ? l.finishReason : null,
          l.chunkUsage, l.promptTokens));
      boolean faultPoint = index + 1 == MockDefaults.RESET_AFTER_TOKENS && !last;
      if (l.fault == Faults.Kind.RESET && faultPoint) {
        l.request.connection().close();
      } else if (l.fault == Faults.Kind.MID_STREAM && faultPoint) {
        // the engine finished the request with reason "error": the error event, [DONE], and no more tokens
        live.remove(id);
        engine.abort(id);
        response.end(Wire.errorEventAndDone(GENERATION_ERROR, GENERATION_ERROR_TYPE, 500));
        context.runOnContext(v -> pump());
      }
    }

    @Override
    public void onFinish(RequestTimes times) {
      Live l = live.remove(times.id());
      if (l == null) {
        return;
      }
      HttpServerResponse response = l.request.response();
      if (l.fault == Faults.Kind.MID_STREAM) {
        // too short to fail mid-stream: it fails at its end instead
        if (l.stream) {
          response.end(Wire.errorEventAndDone(GENERATION_ERROR, GENERATION_ERROR_TYPE, 500));
        } else {
          sendError(l.request, 500, GENERATION_ERROR, GENERATION_ERROR_TYPE, null);
        }
        return;
      }
      long nowWall = System.nanoTime();
      metrics.ttft.observe((l.firstTokenWall - l.arrivalWall) / 1e9);
      metrics.e2e.observe((nowWall - l.arrivalWall) / 1e9);
      metrics.success++;
      if (l.fault == Faults.Kind.RESET) {
        l.request.connection().close();
        return;
      }
      if (l.answer != null) {
        if (l.stream) {
          response.end(l.answer.tail(times));
        } else {
          response.putHeader("content-type", CT_JSON).end(l.answer.body(times));
        }
        return;
      }
      if (l.stream) {
        response.end(l.includeUsage
            ? Wire.usageChunkAndDone(l.chat, l.id, l.created, modelJson, l.promptTokens, l.outputTokens)
            : Buffer.buffer(Wire.DONE));
      } else {
        response.putHeader("content-type", CT_JSON).end(Wire.fullResponse(l.chat, l.id, l.created, modelJson,
            l.promptTokens, l.outputTokens, l.finishReason));
      }
    }
  }
}
