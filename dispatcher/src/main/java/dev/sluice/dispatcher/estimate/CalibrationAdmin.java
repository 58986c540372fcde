package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.CalibrationEntry;
import dev.sluice.calibration.CalibrationTable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The body of {@code GET /admin/calibration}. */
public final class CalibrationAdmin {

  private CalibrationAdmin() {
  }

  /**
   * {@code {"entries":[{"model","category","bytesPerToken","conservativeBytesPerToken","interceptTokens",
   * "samples","source"}]}}, one entry per category of every tracked model; source is prior or calibrated.
   */
  public static JsonObject json(CalibrationTable table) {
    JsonArray entries = new JsonArray();
    for (CalibrationEntry e : table.entries()) {
      entries.add(new JsonObject()
          .put("model", e.model())
          .put("category", e.category())
          .put("bytesPerToken", round(e.bytesPerToken()))
          .put("conservativeBytesPerToken", round(e.conservativeBytesPerToken()))
          .put("interceptTokens", round(e.interceptTokens()))
          .put("samples", e.samples())
          .put("source", e.source()));
    }
    return new JsonObject().put("entries", entries);
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
