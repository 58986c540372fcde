package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * How a key's value is written in YAML, in a {@code SLUICE_*} variable or a flag, and read into Java.
 *
 * @param <T> the Java type
 */
public final class Type<T> {

  /** How the text of a variable or a flag becomes a value in the tree. */
  public enum Form {
    /** taken as it is: names, addresses, paths */
    TEXT,
    /** read as a YAML scalar: {@code 8080}, {@code true}, {@code 0.5} */
    SCALAR,
    /** comma-separated, each part trimmed */
    LIST
  }

  private final String what;
  private final Function<JsonNode, T> read;
  private final Function<T, String> show;
  private final ToDoubleFunction<T> size;
  private final Form form;

  private Type(String what, Function<JsonNode, T> read, Function<T, String> show, ToDoubleFunction<T> size, Form form) {
    this.what = what;
    this.read = read;
    this.show = show;
    this.size = size;
    this.form = form;
  }

  public static final Type<String> TEXT = new Type<>("a string", n -> n.isTextual() ? n.asText() : null,
      s -> s, null, Form.TEXT);
  /** Any scalar, as its text ({@code 2}, {@code false} and {@code "x"} alike): raw properties of a library. */
  public static final Type<String> SCALAR_TEXT = new Type<>("a scalar", n -> n.isValueNode() ? n.asText() : null,
      s -> s, null, Form.TEXT);
  public static final Type<Integer> INTEGER = new Type<>("an integer",
      n -> n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null, String::valueOf, Integer::doubleValue,
      Form.SCALAR);
  public static final Type<Long> LONG = new Type<>("an integer",
      n -> n.isIntegralNumber() && n.canConvertToLong() ? n.longValue() : null, String::valueOf, Long::doubleValue,
      Form.SCALAR);
  public static final Type<Double> NUMBER = new Type<>("a number", n -> n.isNumber() ? n.doubleValue() : null,
      Type::number, Double::doubleValue, Form.SCALAR);
  public static final Type<Boolean> BOOLEAN = new Type<>("true or false",
      n -> n.isBoolean() ? n.booleanValue() : null, String::valueOf, null, Form.SCALAR);
  /** A switch written {@code on} or {@code off}; YAML's {@code true} and {@code false} read the same. */
  public static final Type<Boolean> SWITCH = new Type<>("'on' or 'off'", Type::onOff, b -> b ? "on" : "off", null,
      Form.SCALAR);
  /** Milliseconds, an integer in the file. */
  public static final Type<Duration> MILLIS = new Type<>("an integer (milliseconds)",
      n -> n.isIntegralNumber() && n.canConvertToLong() ? Duration.ofMillis(n.longValue()) : null,
      d -> String.valueOf(d.toMillis()), d -> d.toMillis(), Form.SCALAR);
  /** Seconds, an integer in the file. */
  public static final Type<Duration> SECONDS = new Type<>("an integer (seconds)",
      n -> n.isIntegralNumber() && n.canConvertToLong() ? Duration.ofSeconds(n.longValue()) : null,
      d -> String.valueOf(d.toSeconds()), d -> d.toSeconds(), Form.SCALAR);
  public static final Type<Path> PATH = TEXT.map("a file path", Path::of, Path::toString);
  /** A list of strings; one comma-separated string is read as the list of its parts. */
  public static final Type<List<String>> TEXTS = new Type<>("a list of strings", Type::texts,
      l -> String.join(",", l), null, Form.LIST);
  /** Absolute URLs with a host ({@code http://10.0.0.5:8000}); one URL alone is a list of one. */
  public static final Type<List<URI>> URLS = new Type<>("a list of URLs", Type::urls,
      l -> l.stream().map(URI::toString).collect(Collectors.joining(",")), null, Form.LIST);

  private static Boolean onOff(JsonNode n) {
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return !n.isTextual() ? null : n.asText().equals("on") ? Boolean.TRUE : n.asText().equals("off") ? Boolean.FALSE
        : null;
  }

  /** One of a few words, each standing for a value, e.g. {@code reject} and {@code allow}. */
  public static <T> Type<T> choice(Map<String, T> words) {
    String what = words.keySet().stream().map(w -> "'" + w + "'").collect(Collectors.joining(" or "));
    return TEXT.map(what, s -> {
      T v = words.get(s);
      if (v == null) {
        throw new IllegalArgumentException(s);
      }
      return v;
    }, v -> words.entrySet().stream().filter(e -> e.getValue().equals(v)).map(Map.Entry::getKey).findFirst()
        .orElse(String.valueOf(v)));
  }

  /**
   * This type converted by {@code to}; a value {@code to} refuses with an {@link IllegalArgumentException}
   * is reported as not {@code what}.
   */
  public <U> Type<U> map(String what, Function<T, U> to, Function<U, String> show) {
    return new Type<>(what, n -> {
      T t = read.apply(n);
      if (t == null) {
        return null;
      }
      try {
        return to.apply(t);
      } catch (IllegalArgumentException e) {
        throw new Invalid(null, "must be " + what + ", got '" + n.asText() + "'");
      }
    }, show, null, form);
  }

  /** A phrase for messages: "must be {@code what}". */
  public String what() {
    return what;
  }

  public Form form() {
    return form;
  }

  /** The value of {@code node}, null when it is not of this type; throws {@link Invalid} for a bad element. */
  T read(JsonNode node) {
    return read.apply(node);
  }

  /** The value as the file would spell it. */
  String show(T value) {
    return show.apply(value);
  }

  /** Its magnitude, for the numeric rules; fails for a type that has none. */
  double size(T value) {
    if (size == null) {
      throw new IllegalStateException("a numeric rule on " + what);
    }
    return size.applyAsDouble(value);
  }

  static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static List<String> texts(JsonNode n) {
    if (n.isTextual()) {
      return Arrays.stream(n.asText().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
    if (!n.isArray()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isValueNode() || n.get(i).isNull()) {
        throw new Invalid(null, "[" + i + "] must be a string, got " + n.get(i));
      }
      out.add(n.get(i).asText());
    }
    return List.copyOf(out);
  }

  private static List<URI> urls(JsonNode n) {
    if (n.isTextual()) {
      return List.of(url(n.asText(), ""));
    }
    if (!n.isArray()) {
      return null;
    }
    List<URI> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw new Invalid(null, "[" + i + "] must be a URL string");
      }
      out.add(url(n.get(i).asText(), "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static URI url(String s, String at) {
    try {
      URI u = new URI(s.trim());
      if (u.getScheme() == null || u.getHost() == null) {
        throw new Invalid(null, at + (at.isEmpty() ? "" : " ")
            + "must be an absolute URL like http://host:port, got '" + s + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new Invalid(null, at + (at.isEmpty() ? "" : " ") + "is not a URL: '" + s + "'");
    }
  }
}
