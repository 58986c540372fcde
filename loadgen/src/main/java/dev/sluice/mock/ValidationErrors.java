package dev.sluice.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * vLLM's answer to a body its pydantic model refuses (a required field missing, a validator failing): FastAPI's
 * {@code RequestValidationError} reaches the app-wide handler
 * ({@code vllm/frontend/entrypoints/serve/exception_handling/handlers/validation.py}) before any endpoint runs, so it
 * is the OpenAI error shape on every path, /v1/messages included: status 400, {@code type} the HTTP phrase
 * {@code "Bad Request"}, {@code param} the first error's location joined with dots ({@code body.max_tokens}), and
 * a message listing each error as Python prints pydantic's error dict.
 */
final class ValidationErrors {

  /** One pydantic error: its kind, the body field, pydantic's text, the refused input, and a validator's error. */
  record Problem(String type, String field, String msg, Object input, String ctxError) {

    static Problem missing(String field, JsonObject body) {
      return new Problem("missing", field, "Field required", body, null);
    }

    /** A field validator that raised {@code ValueError(reason)}. */
    static Problem valueError(String field, Object input, String reason) {
      return new Problem("value_error", field, "Value error, " + reason, input, reason);
    }
  }

  private ValidationErrors() {
  }

  /** The 400 body for these errors, in pydantic's order. */
  static Buffer body(List<Problem> problems) {
    StringBuilder m = new StringBuilder().append(problems.size()).append(" validation ")
        .append(problems.size() == 1 ? "error" : "errors").append(":\n");
    for (Problem p : problems) {
      m.append("  {'type': ").append(pyRepr(p.type())).append(", 'loc': ('body', ").append(pyRepr(p.field()))
          .append("), 'msg': ").append(pyRepr(p.msg())).append(", 'input': ").append(pyRepr(p.input()));
      if (p.ctxError() != null) {
        m.append(", 'ctx': {'error': ValueError(").append(pyRepr(p.ctxError())).append(")}");
      }
      m.append("}\n");
    }
    String message = m.toString().stripTrailing();
    return Wire.error(message, "Bad Request", "body." + problems.get(0).field(), 400);
  }

  /** A body that is not a JSON object: pydantic's json_invalid, located at the body's first character. */
  static Buffer invalidJson() {
    return Wire.error("1 validation error:\n  {'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', "
        + "'input': {}, 'ctx': {'error': 'Expecting value'}}", "Bad Request", "body.0", 400);
  }

  /** Python's {@code repr} of a JSON value as pydantic holds it (dicts, lists, str, int, float, bool, None). */
  static String pyRepr(Object v) {
    StringBuilder b = new StringBuilder();
    appendRepr(b, v);
    return b.toString();
  }

  private static void appendRepr(StringBuilder b, Object v) {
    if (v == null) {
      b.append("None");
    } else if (v instanceof Boolean bool) {
      b.append(bool ? "True" : "False");
    } else if (v instanceof String s) {
      appendString(b, s);
    } else if (v instanceof JsonObject o) {
      appendRepr(b, o.getMap());
    } else if (v instanceof JsonArray a) {
      appendRepr(b, a.getList());
    } else if (v instanceof Map<?, ?> map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append(first ? "" : ", ");
        first = false;
        appendRepr(b, String.valueOf(e.getKey()));
        b.append(": ");
        appendRepr(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> list) {
      b.append('[');
      for (int i = 0; i < list.size(); i++) {
        b.append(i > 0 ? ", " : "");
        appendRepr(b, list.get(i));
      }
      b.append(']');
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      b.append(d == Math.rint(d) && Math.abs(d) < 1e16 ? String.format("%.1f", d) : Double.toString(d));
    } else {
      b.append(v);
    }
  }

  /** Single quotes unless the text has one and no double quote, as Python chooses. */
  private static void appendString(StringBuilder b, String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    b.append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c == quote) {
            b.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append(quote);
  }
}
