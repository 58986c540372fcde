package dev.sluice.dispatcher.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/** A raw TCP client for wire-level tests: writes exact bytes, reads until the peer closes or goes quiet. */
final class RawHttp {

  /** What came back: the bytes read and whether the server closed the connection. */
  record Reply(String text, boolean closedByServer) {
    int status() {
      if (!text.startsWith("HTTP/1.")) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    int responseCount() {
      int count = 0;
      int from = 0;
      while ((from = text.indexOf("HTTP/1.1 ", from)) >= 0) {
        count++;
        from += 9;
      }
      return count;
    }
  }

  private RawHttp() {
  }

  static Reply exchange(int port, String request, int quietMillis) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
  }

  static Reply exchange(int port, byte[] request, int quietMillis) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return readAll(socket);
    }
  }

  /**
   * Like {@link #exchange(int, String, int)}, but a quiet spell ends the read only once {@code expected} holds for
   * what came so far (or {@link #MAX_WAIT_MILLIS} passed): a slow machine cannot pass off a late answer as none.
   */
  static Reply exchange(int port, String request, int quietMillis, Predicate<String> expected) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readAll(socket, expected);
    }
  }

  /** How long a read waits for an expected answer before taking the silence as the outcome. */
  static final long MAX_WAIT_MILLIS = 10_000;

  static Reply readAll(Socket socket) throws IOException {
    return readAll(socket, text -> true);
  }

  private static Reply readAll(Socket socket, Predicate<String> expected) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    long deadline = System.nanoTime() + MAX_WAIT_MILLIS * 1_000_000L;
    boolean closed = false;
    while (true) {
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException quiet) {
        if (!expected.test(out.toString(StandardCharsets.ISO_8859_1)) && System.nanoTime() < deadline) {
          continue;
        }
        closed = false;
      } catch (IOException reset) {
        closed = true;
      }
      return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed);
    }
  }
}
