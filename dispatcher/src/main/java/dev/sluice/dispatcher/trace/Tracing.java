package dev.sluice.dispatcher.trace;

import dev.sluice.dispatcher.api.Api;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The node's OpenTelemetry tracer (the SDK, exporting over OTLP http/protobuf) and the sampling decision. A node
 * without a {@code tracing.otlp_endpoint} has none: the request path then makes no span object at all.
 *
 * <p>Whether a request is traced is decided before the SDK sees it: a request that comes with a valid
 * {@code traceparent} follows the client's sampled flag; any other is traced with probability
 * {@code sample_ratio}. A request not traced costs one header lookup and, without a {@code traceparent}, one
 * random draw; its client's {@code traceparent} and {@code tracestate} go upstream as they came. A traced one
 * gets a server span continuing the client's trace, and its tries send their own span's context upstream.
 * Spans end on the event loop into the SDK's batch processor, whose own thread exports them.
 */
public final class Tracing {
  static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  private static final String INSTRUMENTATION = "dev.sluice.dispatcher";
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final long SHUTDOWN_SECONDS = 5;

  static final TextMapGetter<MultiMap> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap carrier) {
      return carrier.names();
    }

    @Override
    public String get(MultiMap carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final double sampleRatio;

  /** Spans into {@code processor}, named for {@code serviceName}; {@code sampleRatio} as the section says. */
  public Tracing(SpanProcessor processor, double sampleRatio, String serviceName) {
    this.provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))))
        // the decision is made before a span is started (see the class comment): whatever starts is recorded
        .setSampler(Sampler.alwaysOn())
        .addSpanProcessor(processor)
        .build();
    this.tracer = provider.get(INSTRUMENTATION);
    this.sampleRatio = sampleRatio;
  }

  /** The node's tracing as {@code config} says, exporting to its collector; null when tracing is off. */
  public static Tracing of(TracingConfig config) {
    if (!config.enabled()) {
      return null;
    }
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.tracesUrl()).build();
    return new Tracing(BatchSpanProcessor.builder(exporter).build(), config.sampleRatio(), config.serviceName());
  }

  /**
   * The trace of a request just accepted, or null when it is not traced (then nothing else is made for it).
   * Runs on the request's event loop.
   */
  public RequestTrace start(HttpServerRequest request, String requestId) {
    return start(request.getHeader(TRACEPARENT), request.headers(), request.method().name(), request.path(),
        requestId);
  }

  /** The same from the request's parts: its {@code traceparent} (or null), headers, method and path. */
  public RequestTrace start(String traceparent, MultiMap headers, String method, String path, String requestId) {
    Context parent = Context.root();
    if (traceparent != null) {
      parent = W3CTraceContextPropagator.getInstance().extract(parent, headers, HEADERS);
      SpanContext client = Span.fromContext(parent).getSpanContext();
      if (client.isValid() && !client.isSampled()) {
        return null;
      }
      if (!client.isValid() && !drawn()) {
        return null;
      }
      // a valid, sampled parent: its trace goes on here
    } else if (!drawn()) {
      return null;
    }
    Span server = tracer.spanBuilder(spanName(method, path)).setParent(parent).setSpanKind(SpanKind.SERVER)
        .setAttribute(RequestTrace.HTTP_METHOD, method)
        .setAttribute(RequestTrace.URL_PATH, path)
        .setAttribute(RequestTrace.REQUEST_ID, requestId)
        .startSpan();
    return new RequestTrace(tracer, server);
  }

  /** Sends what ended so far to the collector; completes when it was sent (or failed). Off the request path. */
  public CompletableResultCode flush() {
    return provider.forceFlush();
  }

  /** Exports what is left and stops; blocks the calling thread (never an event loop) for at most 5 s. */
  public void close() {
    provider.shutdown().join(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
  }

  private boolean drawn() {
    return sampleRatio >= 1 || (sampleRatio > 0 && ThreadLocalRandom.current().nextDouble() < sampleRatio);
  }

  /**
   * {@code POST /v1/chat/completions} for the routes (each {@link Api}'s path and {@code /v1/models}); the method
   * alone for any other path, so that a client cannot make a span name of its own.
   */
  private static String spanName(String method, String path) {
    return Api.at(path) != null || "/v1/models".equals(path) ? method + " " + path : method;
  }
}
