package dev.sluice.dispatcher.trace;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The {@code tracing:} section: OpenTelemetry spans of the requests, exported over OTLP (http/protobuf). Off
 * while no endpoint is set.
 *
 * @param otlpEndpoint the collector's OTLP/HTTP address ({@code http://collector:4318}, to which
 *                     {@code /v1/traces} is added, or the full traces URL); null: tracing off
 * @param sampleRatio  share of requests traced when the client sent no sampled {@code traceparent} (a request
 *                     that comes with one follows the client's decision)
 * @param serviceName  the {@code service.name} of the spans
 */
public record TracingConfig(String otlpEndpoint, double sampleRatio, String serviceName) {
  static final Key<TracingConfig, String> OTLP_ENDPOINT = Key.of("otlp_endpoint", Type.TEXT,
      TracingConfig::otlpEndpoint).rule(TracingConfig::isHttpUrl, "must be an http:// or https:// URL")
      .doc("OTLP/HTTP collector, e.g. `http://collector:4318` (`/v1/traces` is added when no path is given); "
          + "unset: tracing off");
  static final Key<TracingConfig, Double> SAMPLE_RATIO = Key.of("sample_ratio", Type.NUMBER,
      TracingConfig::sampleRatio).byDefault(0.01).within(0, 1)
      .doc("share of requests traced; a request with a `traceparent` follows the client's sampled flag");
  static final Key<TracingConfig, String> SERVICE_NAME = Key.of("service_name", Type.TEXT,
      TracingConfig::serviceName).byDefault("sluice").notBlank().doc("`service.name` of the spans");

  public static final Section<TracingConfig> SECTION = Section.of("tracing",
      v -> new TracingConfig(v.get(OTLP_ENDPOINT), v.get(SAMPLE_RATIO), v.get(SERVICE_NAME)),
      OTLP_ENDPOINT, SAMPLE_RATIO, SERVICE_NAME);

  public static final TracingConfig DEFAULTS = SECTION.defaults();

  /** Whether spans are made and exported at all. */
  public boolean enabled() {
    return otlpEndpoint != null;
  }

  public TracingConfig withEndpoint(String url, double ratio) {
    return new TracingConfig(url, ratio, serviceName);
  }

  /** The URL spans are posted to: the endpoint, with {@code /v1/traces} when it names no path. */
  public String tracesUrl() {
    URI uri = URI.create(otlpEndpoint.trim());
    String path = uri.getPath();
    return path == null || path.isEmpty() || path.equals("/")
        ? otlpEndpoint.trim().replaceAll("/+$", "") + "/v1/traces"
        : otlpEndpoint.trim();
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text.trim());
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
