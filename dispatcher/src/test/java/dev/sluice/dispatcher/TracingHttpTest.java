package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.trace.Tracing;
import dev.sluice.dispatcher.trace.TracingConfig;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Traces end to end: a real dispatcher exporting over OTLP/HTTP (protobuf) to a collector inside the test, the
 * client's {@code traceparent} continued, and each try's own context sent upstream.
 */
class TracingHttpTest extends TwoPoolHttpFixture {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  private static final String BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM_BODY =
      "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** The collector: every span it was sent. */
  private final List<Span> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger exports = new AtomicInteger();
  private HttpServer collector;
  /** Spans the SDK started, counted before any export. */
  private final AtomicInteger started = new AtomicInteger();

  @BeforeEach
  void startCollector() {
    collector = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      try {
        exports.incrementAndGet();
        ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        for (ResourceSpans rs : export.getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            received.addAll(ss.getSpansList());
          }
        }
        req.response().putHeader("content-type", "application/x-protobuf").end();
      } catch (Exception e) {
        req.response().setStatusCode(400).end();
      }
    })).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stopCollector() {
    collector.close().await();
  }

  private void start(double ratio) {
    String endpoint = "http://127.0.0.1:" + collector.actualPort();
    TracingConfig config = TracingConfig.DEFAULTS.withEndpoint(endpoint, ratio);
    assertThat(config.tracesUrl()).isEqualTo(endpoint + "/v1/traces");
    SpanProcessor export = BatchSpanProcessor.builder(
        OtlpHttpSpanExporter.builder().setEndpoint(config.tracesUrl()).build()).build();
    Tracing tracing = new Tracing(SpanProcessor.composite(counting(), export), ratio, "sluice-test");
    ReliabilityConfig reliability = ReliabilityConfig.DEFAULTS
        .withHealth(OutlierPolicy.DEFAULTS.withProbing(0, 500, 0))
        .withAdmission(new AdmissionPolicy(1, 8, 10_000, 1, 5));
    DispatcherMetrics metrics = new DispatcherMetrics();
    use(Dispatcher.start(vertx, twoPools(), DispatcherHooks.calibrating(CalibrationParams.defaults(),
        metrics.registry()), metrics, 2, reliability, AccessLog.OFF, tracing).await());
  }

  private SpanProcessor counting() {
    return new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {
        started.incrementAndGet();
      }

      @Override
      public boolean isStartRequired() {
        return true;
      }

      @Override
      public void onEnd(ReadableSpan span) {
      }

      @Override
      public boolean isEndRequired() {
        return false;
      }
    };
  }

  private Http.Reply post(String body, Map<String, String> headers) {
    return http.send(HttpMethod.POST, "/v1/chat/completions", body, h -> {
      h.set("content-type", "application/json");
      headers.forEach(h::set);
    }, null);
  }

  /** Flushes the node's spans to the collector and waits until it has {@code count} of them. */
  private Map<String, Span> spans(int count) {
    CompletableResultCode flushed = dispatcher.tracing().flush().join(10, TimeUnit.SECONDS);
    assertThat(flushed.isSuccess()).isTrue();
    eventually(() -> received.size() >= count, count + " spans at the collector");
    return received.stream().collect(Collectors.toMap(Span::getName, Function.identity(), (a, b) -> a));
  }

  private static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static String attribute(Span span, String key) {
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        var v = kv.getValue();
        return v.hasIntValue() ? Long.toString(v.getIntValue()) : v.hasBoolValue() ? Boolean.toString(v.getBoolValue())
            : v.getStringValue();
      }
    }
    return null;
  }

  private List<Span> named(String name) {
    return received.stream().filter(s -> s.getName().equals(name)).toList();
  }

  @Test
  void theClientsTraceGoesOnHereAndUpstreamFromTheTrysOwnSpan() {
    start(0.01); // a sampled traceparent is traced whatever the ratio
    Http.Reply reply = post(BODY, Map.of("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01",
        "tracestate", "vendor=opaque"));
    assertThat(reply.status()).isEqualTo(200);

    Map<String, Span> spans = spans(3);
    Span server = spans.get("POST /v1/chat/completions");
    Span estimate = spans.get("sluice.estimate");
    Span attempt = spans.get("sluice.try");
    assertThat(hex(server.getTraceId())).isEqualTo(TRACE_ID);
    assertThat(hex(server.getParentSpanId())).isEqualTo(CLIENT_SPAN);
    assertThat(server.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(server.getTraceState()).isEqualTo("vendor=opaque");
    for (Span child : List.of(estimate, attempt)) {
      assertThat(hex(child.getTraceId())).isEqualTo(TRACE_ID);
      assertThat(child.getParentSpanId()).isEqualTo(server.getSpanId());
    }
    assertThat(attempt.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(attribute(attempt, "sluice.pool")).isEqualTo("short");
    assertThat(attribute(attempt, "sluice.endpoint")).isEqualTo(shortUp.url());
    assertThat(attribute(attempt, "sluice.try")).isEqualTo("1");
    assertThat(attribute(attempt, "sluice.retry_reason")).isNull();
    assertThat(attribute(attempt, "sluice.estimate_source")).isIn("prior", "calibrated");
    assertThat(Long.parseLong(attribute(attempt, "sluice.budget"))).isEqualTo(Long.parseLong(reply.header("x-sluice-budget")));
    assertThat(attribute(attempt, "http.response.status_code")).isEqualTo("200");
    assertThat(attribute(server, "http.response.status_code")).isEqualTo("200");
    assertThat(attribute(server, "sluice.outcome")).isEqualTo("ok");
    assertThat(attribute(server, "sluice.request_id")).isEqualTo(reply.header("x-request-id"));
    assertThat(attribute(estimate, "sluice.budget")).isEqualTo(attribute(attempt, "sluice.budget"));
    assertThat(server.getEndTimeUnixNano()).isGreaterThanOrEqualTo(attempt.getEndTimeUnixNano());

    // upstream, the trace goes on from the try's span, with the client's tracestate
    var up = shortUp.received.get(0).headers();
    assertThat(up.get("traceparent")).isEqualTo("00-" + TRACE_ID + "-" + hex(attempt.getSpanId()) + "-01");
    assertThat(up.get("tracestate")).isEqualTo("vendor=opaque");
  }

  @Test
  void aRetryOnTheLargerPoolIsTwoTrySpansAndTheSecondGoesUpstream() {
    shortUp.behavior = (self, req, body) -> self.json(req.response(), 400, "{\"error\":{\"message\":\"This model's "
        + "maximum context length is 1000 tokens. However, you requested 1200 tokens (1190 in the messages, 10 in "
        + "the completion). Please reduce the length of the messages or completion.\",\"type\":\"BadRequestError\","
        + "\"param\":null,\"code\":400}}");
    start(1.0);
    Http.Reply reply = post(BODY, Map.of());
    assertThat(reply.status() + " " + reply.header("x-sluice-pool")).isEqualTo("200 long");

    spans(4);
    List<Span> tries = named("sluice.try").stream()
        .sorted(java.util.Comparator.comparing(s -> attribute(s, "sluice.try"))).toList();
    assertThat(tries).hasSize(2);
    Span first = tries.get(0);
    Span second = tries.get(1);
    assertThat(attribute(first, "sluice.pool")).isEqualTo("short");
    assertThat(attribute(first, "error.type")).isEqualTo("context_length_exceeded");
    assertThat(first.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(attribute(second, "sluice.pool")).isEqualTo("long");
    assertThat(attribute(second, "sluice.try")).isEqualTo("2");
    assertThat(attribute(second, "sluice.retry_reason")).isEqualTo("context_length");
    assertThat(second.getStatus().getCode()).isNotEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    Span server = named("POST /v1/chat/completions").get(0);
    assertThat(first.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(second.getParentSpanId()).isEqualTo(server.getSpanId());
    // no client trace: the node started one, and each upstream saw its own try's span
    assertThat(server.getParentSpanId().isEmpty()).isTrue();
    assertThat(shortUp.received.get(0).headers().get("traceparent")).contains(hex(first.getSpanId()));
    assertThat(longUp.received.get(0).headers().get("traceparent")).contains(hex(second.getSpanId()));
  }

  @Test
  void aStreamAndAWaitForASlotAreSpansOfTheirOwn() throws Exception {
    start(1.0);
    Thread holder = new Thread(() -> post(STREAM_BODY, Map.of()));
    holder.start();
    eventually(() -> shortUp.received.size() == 1, "the first stream holds the pool's only slot");
    Http.Reply second = post(STREAM_BODY, Map.of());
    join(holder);
    assertThat(second.status()).isEqualTo(200);

    spans(8);
    assertThat(named("sluice.stream")).hasSize(2);
    List<Span> waits = named("sluice.admission");
    assertThat(waits).hasSize(1);
    assertThat(attribute(waits.get(0), "sluice.granted")).isEqualTo("true");
    assertThat(attribute(waits.get(0), "sluice.priority")).isEqualTo("normal");
    Span stream = named("sluice.stream").get(0);
    Span server = received.stream().filter(s -> s.getSpanId().equals(stream.getParentSpanId())).findFirst()
        .orElseThrow();
    assertThat(server.getName()).isEqualTo("POST /v1/chat/completions");
  }

  @Test
  void aRequestNotSampledMakesNoSpanAndItsClientsContextGoesUpstreamAsItCame() {
    start(0.0);
    String unsampled = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-00";
    assertThat(post(BODY, Map.of("traceparent", unsampled, "tracestate", "vendor=opaque")).status()).isEqualTo(200);
    assertThat(post(BODY, Map.of()).status()).isEqualTo(200);

    assertThat(dispatcher.tracing().flush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(started.get()).as("spans started").isZero();
    assertThat(exports.get()).as("exports sent").isZero();
    assertThat(shortUp.received.get(0).headers().get("traceparent")).isEqualTo(unsampled);
    assertThat(shortUp.received.get(0).headers().get("tracestate")).isEqualTo("vendor=opaque");
    assertThat(shortUp.received.get(1).headers().get("traceparent")).isNull();
  }
}
