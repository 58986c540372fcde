package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.ByteClass;
import dev.sluice.calibration.CalibrationEntry;
import dev.sluice.calibration.ClassView;
import dev.sluice.calibration.NodeCalibration;
import java.util.Map;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The body of {@code GET /admin/calibration}. */
public final class CalibrationAdmin {

  private CalibrationAdmin() {
  }

  /**
   * {@code {"models":[{"model","samples","source","interceptTokens","spread","weights":{class: tokens per
   * count}}], "entries":[{"model","category","bytesPerToken","conservativeBytesPerToken","interceptTokens",
   * "samples","source"}]}}: each tracked model's byte-class regression, then one ratio entry per category of
   * every tracked model; source is prior or calibrated.
   */
  public static JsonObject json(NodeCalibration calibration) {
    JsonArray models = new JsonArray();
    for (Map.Entry<String, ClassView> m : calibration.classes().entries()) {
      ClassView v = m.getValue();
      JsonObject weights = new JsonObject();
      for (ByteClass c : ByteClass.values()) {
        weights.put(c.id(), round(v.weight(c)));
      }
      models.add(new JsonObject()
          .put("model", m.getKey())
          .put("samples", v.samples())
          .put("source", v.calibrated() ? CalibrationEntry.SOURCE_CALIBRATED : CalibrationEntry.SOURCE_PRIOR)
          .put("interceptTokens", round(v.interceptTokens()))
          .put("spread", round(v.spread()))
          .put("weights", weights));
    }
    JsonArray entries = new JsonArray();
    for (CalibrationEntry e : calibration.ratios().entries()) {
      entries.add(new JsonObject()
          .put("model", e.model())
          .put("category", e.category())
          .put("bytesPerToken", round(e.bytesPerToken()))
          .put("conservativeBytesPerToken", round(e.conservativeBytesPerToken()))
          .put("interceptTokens", round(e.interceptTokens()))
          .put("samples", e.samples())
          .put("source", e.source()));
    }
    return new JsonObject().put("models", models).put("entries", entries);
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
