package dev.sluice.dispatcher.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Catalogue #24 for deployments that turn cleartext HTTP/2 on, written frame by frame on a raw
 * socket: a client that opens and immediately resets streams (CVE-2023-44487) is sent GOAWAY by
 * Vert.x's reset-flood limit, and an endless header block of CONTINUATION frames is refused before
 * it reaches the request handler.
 */
class Http2FloodTest {

  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int GOAWAY = 0x7;
  private static final int CONTINUATION = 0x9;
  private static final int END_STREAM_AND_HEADERS = 0x5;
  /** HPACK static-table indexes: :method GET, :scheme http, :path /. */
  private static final byte[] GET_ROOT = {(byte) 0x82, (byte) 0x86, (byte) 0x84};

  private Vertx vertx;
  private int port;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    ServerLimits limits = ServerLimits.DEFAULTS.withH2c(true);
    HttpServer server = vertx.createHttpServer(ServerHardening.apply(new HttpServerOptions(), limits));
    ServerHardening.install(vertx, server, limits, req -> {
      requests.incrementAndGet();
      vertx.setTimer(50, t -> {
        if (!req.response().closed()) {
          req.response().end("ok");
        }
      });
      return null;
    });
    port = server.listen(0).await().actualPort();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.write(payload, 0, payload.length);
  }

  /** Error code of the last GOAWAY read, -1 before one. */
  private int goAwayError = -1;

  /** Frame types the server sent until it closed the connection (or went quiet). */
  private java.util.List<Integer> serverFrames(Socket socket) throws IOException {
    return serverFrames(socket, -1);
  }

  /**
   * As {@link #serverFrames(Socket)}, but a quiet spell ends the read only once a frame of type {@code awaited} came
   * (or 10 s passed), so a slow machine cannot pass off a late answer as none.
   */
  private java.util.List<Integer> serverFrames(Socket socket, int awaited) throws IOException {
    java.util.List<Integer> types = new java.util.ArrayList<>();
    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    long deadline = System.nanoTime() + 10_000_000_000L;
    try {
      while (true) {
        if (awaited >= 0 && !types.contains(awaited) && System.nanoTime() < deadline) {
          in.mark(9);
          try {
            in.readUnsignedByte();
          } catch (SocketTimeoutException quiet) {
            continue;
          }
          in.reset();
        }
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.readInt();
        if (type == GOAWAY && length >= 8) {
          in.readInt();
          goAwayError = in.readInt();
          in.skipNBytes(length - 8);
        } else {
          in.skipNBytes(length);
        }
        types.add(type);
      }
    } catch (EOFException | SocketTimeoutException end) {
      return types;
    } catch (IOException reset) {
      return types;
    }
  }

  @Test
  void rapidResetGetsGoAway() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, SETTINGS, 0, 0, new byte[0]);
    for (int i = 0; i < 1000; i++) {
      int stream = 1 + 2 * i;
      frame(out, HEADERS, END_STREAM_AND_HEADERS, stream, GET_ROOT);
      frame(out, RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8});
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      try {
        socket.getOutputStream().write(out.toByteArray());
      } catch (IOException closedWhileWriting) {
        // the server may cut the connection before the flood is fully written
      }
      assertThat(serverFrames(socket)).contains(GOAWAY);
      assertThat(goAwayError).as("ENHANCE_YOUR_CALM").isEqualTo(0xb);
    }
  }

  @Test
  void continuationFloodIsCutOff() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, SETTINGS, 0, 0, new byte[0]);
    frame(out, HEADERS, 0x1, 1, GET_ROOT);
    // literal header field without indexing, new name "x-pad" and a 100-byte value, over and over
    ByteArrayOutputStream field = new ByteArrayOutputStream();
    field.write(0x00);
    field.write(5);
    field.write("x-pad".getBytes(StandardCharsets.US_ASCII));
    field.write(100);
    field.write("p".repeat(100).getBytes(StandardCharsets.US_ASCII));
    byte[] fragment = field.toByteArray();
    for (int i = 0; i < 5000; i++) {
      frame(out, CONTINUATION, 0, 1, fragment);
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      try {
        socket.getOutputStream().write(out.toByteArray());
      } catch (IOException closedWhileWriting) {
        // cut off before the flood was fully written: the outcome under test
      }
      java.util.List<Integer> frames = serverFrames(socket);
      assertThat(frames.contains(GOAWAY) || frames.contains(RST_STREAM)).as("GOAWAY or RST_STREAM").isTrue();
    }
    assertThat(requests).hasValue(0);
  }

  @Test
  void anOrdinaryH2cRequestIsServedWhenEnabled() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, SETTINGS, 0, 0, new byte[0]);
    frame(out, HEADERS, END_STREAM_AND_HEADERS, 1, GET_ROOT);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(1500);
      socket.getOutputStream().write(out.toByteArray());
      assertThat(serverFrames(socket, HEADERS)).contains(HEADERS).doesNotContain(GOAWAY);
    }
    assertThat(requests).hasValue(1);
  }
}
