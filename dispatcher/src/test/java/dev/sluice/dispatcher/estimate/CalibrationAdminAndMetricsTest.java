package dev.sluice.dispatcher.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.NodeCalibration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class CalibrationAdminAndMetricsTest {

  private static final String JSON = "{\"code\": \"FR-75\", \"name\": \"Paris\"}";

  private final NodeCalibration calibration = NodeCalibration.of(CalibrationParams.defaults());
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CalibrationMetrics metrics = CalibrationMetrics.register(registry, calibration);
  private final CalibratingEstimator estimator = new CalibratingEstimator(calibration,
      CalibratingEstimator.Model.CLASSES, 0, metrics);

  private void feed(int n) {
    for (int i = 0; i < n; i++) {
      dev.sluice.dispatcher.scan.RequestFacts facts = Texts.facts("llama", 3000, JSON, 10, false, false);
      Budget b = estimator.estimate(facts, null, 0);
      estimator.observe(b, (int) Math.round(10 + facts.textBytes() / 2.5));
    }
  }

  @Test
  void adminListsEveryCategoryOfSeenModelsWithItsSource() {
    feed(12);
    JsonObject body = CalibrationAdmin.json(calibration);
    JsonObject json = body.getJsonArray("entries").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("category").equals("json")).findFirst().orElseThrow();
    JsonObject prose = body.getJsonArray("entries").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("category").equals("prose")).findFirst().orElseThrow();
    assertThat(json.fieldNames()).containsExactlyInAnyOrder("model", "category", "bytesPerToken",
        "conservativeBytesPerToken", "interceptTokens", "samples", "source");
    assertThat(json.getString("model")).isEqualTo("llama");
    assertThat(json.getString("source")).isEqualTo("calibrated");
    assertThat(json.getLong("samples")).isEqualTo(12);
    assertThat(prose.getString("source")).isEqualTo("prior");
  }

  @Test
  void adminShowsEachModelsByteClassWeights() {
    feed(12);
    JsonObject model = CalibrationAdmin.json(calibration).getJsonArray("models").getJsonObject(0);
    assertThat(model.fieldNames()).containsExactlyInAnyOrder("model", "samples", "source", "interceptTokens",
        "spread", "weights");
    assertThat(model.getString("model")).isEqualTo("llama");
    assertThat(model.getLong("samples")).isEqualTo(12);
    assertThat(model.getString("source")).isEqualTo("calibrated");
    assertThat(model.getJsonObject("weights").fieldNames()).containsExactlyElementsOf(
        dev.sluice.calibration.ByteClass.layout());
  }

  @Test
  void calibrationGaugesAppearPerModelAndCategory() {
    feed(12);
    String scrape = registry.scrape();
    assertThat(gauge(scrape, "sluice_calibration_bytes_per_token{category=\"json\",model=\"llama\"}"))
        .isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.01));
    assertThat(scrape).contains("sluice_calibration_samples{category=\"json\",model=\"llama\"} 12");
    assertThat(scrape).contains("sluice_calibration_class_samples{model=\"llama\"} 12");
    assertThat(scrape).contains("sluice_calibration_class_spread{model=\"llama\"}");
  }

  private static double gauge(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(
        series.length() + 1))).findFirst().orElseThrow();
  }

  @Test
  void relativeErrorIsRecordedPerCategory() {
    feed(3);
    assertThat(registry.get(CalibrationMetrics.RELATIVE_ERROR).tag("category", "json").summary().count())
        .isEqualTo(3);
    assertThat(registry.scrape()).contains("sluice_estimation_relative_error_bucket{category=\"json\"");
  }

}
