package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test bodies serialised by Jackson's generator (an independent writer), and the shared corpus. */
final class Bodies {
  private static final JsonFactory RAW = JsonFactory.builder().build();
  private static final JsonFactory ENSURE_ASCII =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private Bodies() {
  }

  /** {@code {"model":"m","messages":[{"role":"user","content":...}, ...]}}, one message per text. */
  static byte[] chat(boolean ensureAscii, List<String> contents) {
    return write(ensureAscii, g -> {
      g.writeStringField("model", "m");
      g.writeArrayFieldStart("messages");
      for (String content : contents) {
        g.writeStartObject();
        g.writeStringField("role", "user");
        g.writeStringField("content", content);
        g.writeEndObject();
      }
      g.writeEndArray();
    });
  }

  interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] write(boolean ensureAscii, Fields fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = (ensureAscii ? ENSURE_ASCII : RAW).createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  static RequestFacts scan(Api kind, byte[] body) {
    BodyScanner scanner = new BodyScanner(kind, ScanLimits.DEFAULTS);
    scanner.feed(Buffer.buffer(body));
    return scanner.finish();
  }

  static RequestFacts chat(byte[] body) {
    return scan(Api.CHAT, body);
  }

  static RequestFacts chat(String json) {
    return chat(utf8(json));
  }

  static String corpus(String file) {
    try {
      return Files.readString(sharedDir().resolve("data/corpus").resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path sharedDir() {
    String configured = System.getProperty("sluice.shared");
    if (configured != null) {
      return Path.of(configured);
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("sluice"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("../shared").normalize();
  }
}
