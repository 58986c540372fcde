package dev.sluice.loadgen;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
    open(out, model);
    message(out, "user", promptUtf8);
    close(out, maxTokens, stream);
    return out.toByteArray();
  }

  /** A body with the given messages, in order. */
  public static byte[] encode(String model, List<Dataset.Message> messages, int maxTokens, boolean stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    open(out, model);
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      message(out, messages.get(i).role(), messages.get(i).content().getBytes(StandardCharsets.UTF_8));
    }
    close(out, maxTokens, stream);
    return out.toByteArray();
  }

  private static void open(ByteArrayOutputStream out, String model) {
    ascii(out, "{\"model\":\"");
    escape(out, model.getBytes(StandardCharsets.UTF_8));
    ascii(out, "\",\"messages\":[");
  }

  private static void message(ByteArrayOutputStream out, String role, byte[] contentUtf8) {
    ascii(out, "{\"role\":\"");
    escape(out, role.getBytes(StandardCharsets.UTF_8));
    ascii(out, "\",\"content\":\"");
    escape(out, contentUtf8);
    ascii(out, "\"}");
  }

  private static void close(ByteArrayOutputStream out, int maxTokens, boolean stream) {
    ascii(out, "],\"max_tokens\":");
    ascii(out, Integer.toString(maxTokens));
    ascii(out, stream ? ",\"stream\":true}" : ",\"stream\":false}");
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
