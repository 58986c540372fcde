package dev.sluice.loadgen;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes an OpenAI chat-completions request body straight from UTF-8 prompt bytes: non-ASCII stays raw UTF-8 (as
 * most clients send it), quotes, backslashes and control characters are escaped.
 */
public final class ChatBody {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private ChatBody() {
  }

  public static byte[] encode(String model, byte[] promptUtf8, int maxTokens, boolean stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(promptUtf8.length + promptUtf8.length / 16 + 128);
    ascii(out, "{\"model\":\"");
    escape(out, model.getBytes(StandardCharsets.UTF_8));
    ascii(out, "\",\"messages\":[{\"role\":\"user\",\"content\":\"");
    escape(out, promptUtf8);
    ascii(out, "\"}],\"max_tokens\":");
    ascii(out, Integer.toString(maxTokens));
    ascii(out, stream ? ",\"stream\":true}" : ",\"stream\":false}");
    return out.toByteArray();
  }

  static void escape(ByteArrayOutputStream out, byte[] utf8) {
    for (byte b : utf8) {
      switch (b) {
        case '"' -> ascii(out, "\\\"");
        case '\\' -> ascii(out, "\\\\");
        case '\n' -> ascii(out, "\\n");
        case '\r' -> ascii(out, "\\r");
        case '\t' -> ascii(out, "\\t");
        default -> {
          if (b >= 0 && b < 0x20 || b == 0x7f) {
            ascii(out, "\\u00");
            out.write(HEX[(b >> 4) & 0xf]);
            out.write(HEX[b & 0xf]);
          } else {
            out.write(b);
          }
        }
      }
    }
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i));
    }
  }
}
