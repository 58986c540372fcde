package dev.sluice.mock;

import static dev.sluice.mock.Wire.appendLong;
import static dev.sluice.mock.Wire.bytes;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * The body of vLLM's {@code POST /v1/embeddings} ({@code EmbeddingResponse},
 * {@code vllm/frontend/entrypoints/pooling/embed/protocol.py}):
 * <pre>
 * {"id":"embd-...","object":"list","created":T,"model":"M",
 *  "data":[{"index":0,"object":"embedding","embedding":[0.1,...]}],
 *  "usage":{"prompt_tokens":P,"total_tokens":P,"completion_tokens":0,"prompt_tokens_details":null}}
 * </pre>
 * With {@code "encoding_format":"base64"} each embedding is the base64 of its float32 values, little-endian (vLLM's
 * default {@code embed_dtype} and the machine's byte order).
 */
final class EmbeddingsWire {

  private static final byte[] OPEN = bytes("{\"id\":\"embd-");
  private static final byte[] OBJECT = bytes("\",\"object\":\"list\",\"created\":");
  private static final byte[] MODEL = bytes(",\"model\":");
  private static final byte[] DATA = bytes(",\"data\":[");
  private static final byte[] ITEM = bytes("{\"index\":");
  private static final byte[] EMBEDDING = bytes(",\"object\":\"embedding\",\"embedding\":");
  private static final byte[] USAGE = bytes("],\"usage\":{\"prompt_tokens\":");
  private static final byte[] TOTAL = bytes(",\"total_tokens\":");
  private static final byte[] END = bytes(",\"completion_tokens\":0,\"prompt_tokens_details\":null}}");

  private EmbeddingsWire() {
  }

  static Buffer body(String id, long created, byte[] model, List<float[]> vectors, boolean base64, long promptTokens) {
    Buffer out = Buffer.buffer(200 + vectors.size() * 240).appendBytes(OPEN).appendString(id).appendBytes(OBJECT);
    appendLong(out, created).appendBytes(MODEL).appendBytes(model).appendBytes(DATA);
    for (int i = 0; i < vectors.size(); i++) {
      if (i > 0) {
        out.appendByte((byte) ',');
      }
      out.appendBytes(ITEM);
      appendLong(out, i).appendBytes(EMBEDDING);
      appendVector(out, vectors.get(i), base64);
      out.appendByte((byte) '}');
    }
    out.appendBytes(USAGE);
    appendLong(out, promptTokens).appendBytes(TOTAL);
    return appendLong(out, promptTokens).appendBytes(END);
  }

  private static void appendVector(Buffer out, float[] v, boolean base64) {
    if (base64) {
      ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : v) {
        b.putFloat(f);
      }
      out.appendByte((byte) '"').appendString(Base64.getEncoder().encodeToString(b.array())).appendByte((byte) '"');
      return;
    }
    out.appendByte((byte) '[');
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        out.appendByte((byte) ',');
      }
      // a float32 printed as the double it widens to, as Python prints vLLM's float32 values
      out.appendString(Double.toString(v[i]));
    }
    out.appendByte((byte) ']');
  }
}
