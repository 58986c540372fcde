package dev.sluice.dispatcher.trace;

import dev.sluice.dispatcher.admission.Priority;
import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.estimate.Budget;
import dev.sluice.dispatcher.pool.Endpoint;
import dev.sluice.dispatcher.pool.Pool;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;

/**
 * The spans of one traced request: its server span, started when it is accepted and ended at its single end,
 * and the children of its steps: reading and estimating ({@code sluice.estimate}), waiting for a pool slot
 * ({@code sluice.admission}, only when it waits), each upstream try ({@code sluice.try}, a client span whose
 * context goes upstream in {@code traceparent}), and the relayed event stream ({@code sluice.stream}). Parents
 * are passed explicitly; nothing here reads or sets the thread's current context.
 *
 * <p>Lives on the request's event loop, like its {@code Call}; exists only for a request that is traced.
 */
public final class RequestTrace {
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("sluice.request_id");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("sluice.outcome");
  static final AttributeKey<String> KEY = AttributeKey.stringKey("sluice.key");
  static final AttributeKey<String> PRIORITY = AttributeKey.stringKey("sluice.priority");
  static final AttributeKey<String> POOL = AttributeKey.stringKey("sluice.pool");
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("sluice.endpoint");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<Long> BUDGET = AttributeKey.longKey("sluice.budget");
  static final AttributeKey<Long> PROMPT_ESTIMATE = AttributeKey.longKey("sluice.prompt_estimate");
  static final AttributeKey<String> CATEGORY = AttributeKey.stringKey("sluice.category");
  static final AttributeKey<String> ESTIMATE_SOURCE = AttributeKey.stringKey("sluice.estimate_source");
  static final AttributeKey<Long> TRY = AttributeKey.longKey("sluice.try");
  static final AttributeKey<String> RETRY_REASON = AttributeKey.stringKey("sluice.retry_reason");
  static final AttributeKey<Boolean> GRANTED = AttributeKey.booleanKey("sluice.granted");
  static final AttributeKey<Long> PROMPT_TOKENS = AttributeKey.longKey("sluice.prompt_tokens");

  private static final TextMapSetter<MultiMap> HEADERS = (carrier, key, value) -> carrier.set(key, value);

  private final Tracer tracer;
  private final Span server;
  private final Context context;
  /** The step under way: reading and estimating, or waiting for a slot; null between them. */
  private Span step;
  private Span stream;

  RequestTrace(Tracer tracer, Span server) {
    this.tracer = tracer;
    this.server = server;
    this.context = Context.root().with(server);
  }

  // ---- the steps -----------------------------------------------------------------------------------

  /** The body is read and scanned, then estimated. */
  public void estimating() {
    step = child("sluice.estimate", SpanKind.INTERNAL).startSpan();
  }

  /** The budget is known. */
  public void estimated(Budget budget) {
    Span s = step;
    step = null;
    if (s != null) {
      describe(s, budget);
      s.end();
    }
    describe(server, budget);
  }

  /** The request waits for a slot of its pool, in class {@code priority}. */
  public void waiting(Pool pool, Priority priority) {
    step = child("sluice.admission", SpanKind.INTERNAL).setAttribute(POOL, pool.name())
        .setAttribute(PRIORITY, priority.label()).startSpan();
  }

  /** The wait is over: a slot ({@code granted}), or a refusal. */
  public void admitted(boolean granted) {
    Span s = step;
    step = null;
    if (s != null) {
      s.setAttribute(GRANTED, granted);
      s.end();
    }
  }

  /**
   * A try starts: its client span, child of the request's. {@code retryReason} is why the previous try was
   * repeated (the failure table's reason), null for the first.
   */
  public Span tryStarted(Pool pool, Endpoint endpoint, int number, String retryReason, Budget budget) {
    Span t = child("sluice.try", SpanKind.CLIENT)
        .setAttribute(POOL, pool.name())
        .setAttribute(ENDPOINT, endpoint.url())
        .setAttribute(SERVER_ADDRESS, endpoint.host())
        .setAttribute(SERVER_PORT, (long) endpoint.port())
        .setAttribute(TRY, (long) number)
        .setAttribute(BUDGET, (long) budget.total())
        .setAttribute(ESTIMATE_SOURCE, estimateSource(budget))
        .startSpan();
    if (retryReason != null) {
      t.setAttribute(RETRY_REASON, retryReason);
    }
    return t;
  }

  /** Sends the try's span context upstream: {@code traceparent}, and the trace's {@code tracestate}. */
  public static void inject(Span attempt, MultiMap headers) {
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(attempt), headers, HEADERS);
  }

  /** The upstream answered the try with {@code status}. */
  public static void answered(Span attempt, int status) {
    attempt.setAttribute(STATUS, (long) status);
  }

  /** The try failed as {@code kind} (whatever happens next: another try, or the failure stands). */
  public static void failed(Span attempt, FailureKind kind) {
    attempt.setAttribute(ERROR_TYPE, kind.code());
    attempt.setStatus(StatusCode.ERROR, kind.code());
  }

  /** The answer, an event stream, starts reaching the client. */
  public void streaming() {
    stream = child("sluice.stream", SpanKind.INTERNAL).startSpan();
  }

  /**
   * The request's single end: the server span gets what the request became and ends, with whatever step was
   * still under way.
   */
  public void end(int status, FailureKind failure, String outcome, String key, Priority priority, Pool pool,
      int promptTokens) {
    if (step != null) {
      step.end();
      step = null;
    }
    if (stream != null) {
      if (failure != null) {
        stream.setStatus(StatusCode.ERROR, failure.code());
      }
      stream.end();
      stream = null;
    }
    server.setAttribute(STATUS, (long) status).setAttribute(OUTCOME, outcome).setAttribute(PRIORITY, priority.label());
    if (key != null) {
      server.setAttribute(KEY, key);
    }
    if (pool != null) {
      server.setAttribute(POOL, pool.name());
    }
    if (promptTokens >= 0) {
      server.setAttribute(PROMPT_TOKENS, (long) promptTokens);
    }
    if (failure != null) {
      server.setAttribute(ERROR_TYPE, failure.code());
      if (status >= 500 || failure.outcome() == FailureKind.Outcome.ERROR
          || failure.outcome() == FailureKind.Outcome.ABORTED) {
        server.setStatus(StatusCode.ERROR, failure.code());
      }
    }
    server.end();
  }

  private io.opentelemetry.api.trace.SpanBuilder child(String name, SpanKind kind) {
    return tracer.spanBuilder(name).setParent(context).setSpanKind(kind);
  }

  private static void describe(Span s, Budget budget) {
    s.setAttribute(BUDGET, (long) budget.total())
        .setAttribute(PROMPT_ESTIMATE, (long) budget.promptEstimate())
        .setAttribute(ESTIMATE_SOURCE, estimateSource(budget));
    if (budget.category() != null) {
      s.setAttribute(CATEGORY, budget.category());
    }
  }

  /** Where the prompt part of the budget came from: the learned calibration, or the prior before any. */
  static String estimateSource(Budget budget) {
    return budget.calibrated() ? "calibrated" : "prior";
  }
}
