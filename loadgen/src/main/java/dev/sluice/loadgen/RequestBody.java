package dev.sluice.loadgen;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a request body of any {@link Api} straight from UTF-8 text bytes: non-ASCII stays raw UTF-8 (as most
 * clients send it), quotes, backslashes and control characters are escaped. The layouts:
 * <pre>
 * chat         {"model","messages":[{"role","content"}..],"max_tokens",("stream_options":{"include_usage":true},)"stream"}
 * completions  {"model","prompt","max_tokens",("stream_options":{"include_usage":true},)"stream"}
 * responses    {"model","input":[{"role","content"}..],("instructions",)"max_output_tokens","stream"}
 * messages     {"model","max_tokens",("system",)"messages":[{"role","content"}..],"stream"}
 * embeddings   {"model","input"}
 * </pre>
 * System messages become the {@code instructions} of a response and the {@code system} of a Messages request, the
 * two APIs' places for them; completions and embeddings take every message's text joined by a blank line. A stream
 * of chat or completions asks for the usage at its end, which the other two APIs always send. {@code "stream"} is
 * the last field, where servers that only glance at a body's tail find it.
 */
public final class RequestBody {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JOIN = "\n\n".getBytes(StandardCharsets.US_ASCII);

  /** One message of a body, its text already UTF-8. */
  private record Turn(String role, byte[] utf8) {
    boolean system() {
      return role.equals("system");
    }
  }

  private RequestBody() {
  }

  /** A body with one user message. */
  public static byte[] encode(Api api, String model, byte[] promptUtf8, int maxTokens, boolean stream) {
    return write(api, model, List.of(new Turn("user", promptUtf8)), maxTokens, stream, null);
  }

  /** A body with the given messages, in order. */
  public static byte[] encode(Api api, String model, List<Dataset.Message> messages, int maxTokens, boolean stream) {
    return write(api, model, turns(messages), maxTokens, stream, null);
  }

  /**
   * A body with the given messages that names its conversation in {@code prompt_cache_key}, OpenAI's field for it;
   * the Messages API has no such field (name its conversation in a header instead).
   */
  public static byte[] encode(Api api, String model, List<Dataset.Message> messages, int maxTokens, boolean stream,
      String cacheKey) {
    if (cacheKey != null && api == Api.MESSAGES) {
      throw new IllegalArgumentException("the Messages API has no prompt_cache_key");
    }
    return write(api, model, turns(messages), maxTokens, stream, cacheKey);
  }

  private static List<Turn> turns(List<Dataset.Message> messages) {
    List<Turn> turns = new ArrayList<>(messages.size());
    for (Dataset.Message m : messages) {
      turns.add(new Turn(m.role(), m.content().getBytes(StandardCharsets.UTF_8)));
    }
    return turns;
  }

  private static byte[] write(Api api, String model, List<Turn> turns, int maxTokens, boolean stream,
      String cacheKey) {
    if (stream && !api.generates()) {
      throw new IllegalArgumentException(api.id() + " requests are never streamed");
    }
    int text = 0;
    for (Turn t : turns) {
      text += t.utf8().length + 32;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text + text / 16 + 160);
    ascii(out, "{\"model\":");
    string(out, model.getBytes(StandardCharsets.UTF_8));
    switch (api) {
      case CHAT -> {
        ascii(out, ",\"messages\":");
        messages(out, turns, true);
        maxTokens(out, "max_tokens", maxTokens);
      }
      case COMPLETIONS -> {
        ascii(out, ",\"prompt\":");
        joined(out, turns);
        maxTokens(out, "max_tokens", maxTokens);
      }
      case RESPONSES -> {
        ascii(out, ",\"input\":");
        messages(out, turns, false);
        system(out, "instructions", turns);
        maxTokens(out, "max_output_tokens", maxTokens);
      }
      case MESSAGES -> {
        maxTokens(out, "max_tokens", maxTokens);
        system(out, "system", turns);
        ascii(out, ",\"messages\":");
        messages(out, turns, false);
      }
      case EMBEDDINGS -> {
        ascii(out, ",\"input\":");
        joined(out, turns);
      }
    }
    if (cacheKey != null) {
      ascii(out, ",\"prompt_cache_key\":");
      string(out, cacheKey.getBytes(StandardCharsets.UTF_8));
    }
    if (api.generates()) {
      if (stream && (api == Api.CHAT || api == Api.COMPLETIONS)) {
        ascii(out, ",\"stream_options\":{\"include_usage\":true}");
      }
      ascii(out, stream ? ",\"stream\":true" : ",\"stream\":false");
    }
    out.write('}');
    return out.toByteArray();
  }

  private static void maxTokens(ByteArrayOutputStream out, String field, int maxTokens) {
    ascii(out, ",\"");
    ascii(out, field);
    ascii(out, "\":");
    ascii(out, Integer.toString(maxTokens));
  }

  /** {@code [{"role","content"}, ...]}, with or without the system messages. */
  private static void messages(ByteArrayOutputStream out, List<Turn> turns, boolean withSystem) {
    out.write('[');
    boolean first = true;
    for (Turn t : turns) {
      if (t.system() && !withSystem) {
        continue;
      }
      ascii(out, first ? "{\"role\":" : ",{\"role\":");
      string(out, t.role().getBytes(StandardCharsets.UTF_8));
      ascii(out, ",\"content\":");
      string(out, t.utf8());
      out.write('}');
      first = false;
    }
    out.write(']');
  }

  /** {@code ,"field":"..."} with the system messages' text, or nothing when there is none. */
  private static void system(ByteArrayOutputStream out, String field, List<Turn> turns) {
    List<Turn> system = turns.stream().filter(Turn::system).toList();
    if (system.isEmpty()) {
      return;
    }
    ascii(out, ",\"");
    ascii(out, field);
    ascii(out, "\":");
    joined(out, system);
  }

  /** Every message's text as one JSON string, a blank line between two. */
  private static void joined(ByteArrayOutputStream out, List<Turn> turns) {
    out.write('"');
    for (int i = 0; i < turns.size(); i++) {
      if (i > 0) {
        escape(out, JOIN);
      }
      escape(out, turns.get(i).utf8());
    }
    out.write('"');
  }

  private static void string(ByteArrayOutputStream out, byte[] utf8) {
    out.write('"');
    escape(out, utf8);
    out.write('"');
  }

  private static void escape(ByteArrayOutputStream out, byte[] utf8) {
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
