package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationState;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The calibration saved on disk, so a restarted node starts warm. Blocking file I/O: called from the
 * exchange's worker context only. Written to a temporary file and moved into place, so a crash during a
 * save leaves the previous file intact.
 */
public final class CalibrationFile {

  /** What a file holds: the node that wrote it, when, and its own calibration. */
  public record Saved(String nodeId, long savedAt, CalibrationState state) {
  }

  private final Path path;

  public CalibrationFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The saved state, or empty when there is no file; a corrupt file is an error (it names the path). */
  public Optional<Saved> load() throws IOException {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    String text = Files.readString(path, StandardCharsets.UTF_8);
    try {
      JsonObject o = new JsonObject(text);
      return Optional.of(new Saved(o.getString("node"), o.getLong("savedAt", 0L),
          new CalibrationState(EntryCodec.parseRows(o.getJsonArray("state")),
              EntryCodec.parseClasses(o.getJsonObject("classes")))));
    } catch (RuntimeException e) {
      throw new IOException(path + ": not a calibration file: " + e.getMessage(), e);
    }
  }

  public void save(String nodeId, long now, CalibrationState state) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    String text = new JsonObject()
        .put("v", EntryCodec.VERSION)
        .put("node", nodeId)
        .put("savedAt", now)
        .put("state", EntryCodec.rows(state.ratios()))
        .put("classes", EntryCodec.classes(state.classes()))
        .encodePrettily();
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
