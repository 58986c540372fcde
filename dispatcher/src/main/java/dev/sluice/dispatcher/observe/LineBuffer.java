package dev.sluice.dispatcher.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One log line built as UTF-8 bytes in place. The access log's writer reuses one for every line, so a line costs
 * neither a String nor a char-to-byte encoding pass on its way to the sink.
 */
public final class LineBuffer {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] bytes;
  private int length;

  public LineBuffer(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  /** Empties the line for the next one. */
  public LineBuffer clear() {
    length = 0;
    return this;
  }

  public int length() {
    return length;
  }

  /** A constant of plain ASCII (a key, a brace, {@code null}): its chars are its bytes. */
  public LineBuffer ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[length++] = (byte) s.charAt(i);
    }
    return this;
  }

  public LineBuffer ascii(char c) {
    ensure(1);
    bytes[length++] = (byte) c;
    return this;
  }

  /** A whole number in decimal. */
  public LineBuffer num(long value) {
    if (value == Long.MIN_VALUE) {
      return ascii(Long.toString(value));
    }
    ensure(20);
    if (value < 0) {
      bytes[length++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    int at = length + digits;
    length = at;
    do {
      bytes[--at] = (byte) ('0' + value % 10);
      value /= 10;
    } while (value != 0);
    return this;
  }

  /**
   * {@code s} as a JSON string: quoted, with quotes, backslashes and control characters escaped, everything else
   * as UTF-8 (a lone surrogate as {@code ?}, as Java's own encoder writes it).
   */
  public LineBuffer jsonString(String s) {
    int n = s.length();
    ensure(6 * n + 2);
    byte[] b = bytes;
    int at = length;
    b[at++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          b[at++] = (byte) c;
        } else if (c == '"' || c == '\\') {
          b[at++] = '\\';
          b[at++] = (byte) c;
        } else {
          b[at++] = '\\';
          b[at++] = 'u';
          b[at++] = '0';
          b[at++] = '0';
          b[at++] = HEX[c >> 4];
          b[at++] = HEX[c & 0xF];
        }
      } else if (c < 0x800) {
        b[at++] = (byte) (0xC0 | (c >> 6));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[at++] = (byte) (0xF0 | (cp >> 18));
          b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          b[at++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          b[at++] = '?';
        }
      } else {
        b[at++] = (byte) (0xE0 | (c >> 12));
        b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    b[at++] = '"';
    length = at;
    return this;
  }

  /** Writes the line's bytes to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, length);
  }

  /** The line as text. */
  @Override
  public String toString() {
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + more));
    }
  }
}
