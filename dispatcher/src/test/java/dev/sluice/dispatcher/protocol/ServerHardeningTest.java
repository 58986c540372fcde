package dev.sluice.dispatcher.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Wire-level behaviour of a hardened Vert.x server, probed with raw sockets (catalogue #11, #12, #23). */
class ServerHardeningTest {

  private static final int QUIET_MS = 1500;

  private Vertx vertx;
  private final AtomicInteger handlerCalls = new AtomicInteger();
  private final AtomicInteger bodiesCompleted = new AtomicInteger();
  private int port;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    port = startServer(ServerLimits.DEFAULTS.withHeaderDeadlineMillis(600).withBodyDeadlineMillis(1200));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private int startServer(ServerLimits limits) {
    HttpServer server = vertx.createHttpServer(ServerHardening.apply(new HttpServerOptions(), limits));
    ServerHardening.install(vertx, server, limits, this::echo);
    return server.listen(0).await().actualPort();
  }

  private ConnectionDeadlines.SlowBody echo(HttpServerRequest request) {
    handlerCalls.incrementAndGet();
    if (request.path().equals("/stream")) {
      request.response().setChunked(true).write("data: 1\n\n");
      vertx.setTimer(1500, id -> request.response().end("data: [DONE]\n\n"));
      return null;
    }
    request.body()
        .onSuccess(body -> {
          bodiesCompleted.incrementAndGet();
          request.response().end("ok:" + body.length());
        })
        .onFailure(err -> {
          if (!request.response().ended() && !request.response().closed()) {
            request.response().setStatusCode(400).end();
          }
        });
    return null;
  }

  @Test
  void transferEncodingWithContentLengthIsRejectedBeforeTheHandler() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        QUIET_MS);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(reply.responseCount()).isEqualTo(1);
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void duplicateContentLengthIsRejected() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", QUIET_MS);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void equalDuplicateContentLengthIsRejectedToo() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", QUIET_MS);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void transferEncodingOnHttp10IsRejected() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", QUIET_MS);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void obfuscatedTransferEncodingIsRejected() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", QUIET_MS);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void bareLineFeedInChunkHeaderFailsTheBody() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext\nhello\r\n0\r\n\r\n", QUIET_MS);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(bodiesCompleted).hasValue(0);
  }

  @Test
  void overlongRequestLineGets414() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", QUIET_MS);
    assertThat(reply.status()).isEqualTo(414);
    assertThat(reply.closedByServer()).isTrue();
  }

  @Test
  void oversizedHeadersGet431() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n", QUIET_MS);
    assertThat(reply.status()).isEqualTo(431);
    assertThat(reply.closedByServer()).isTrue();
  }

  @Test
  void cleartextHttp2UpgradeIsNotHonoured() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", QUIET_MS, text -> text.contains("\r\n\r\n"));
    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void cleartextHttp2PriorKnowledgeIsNotSpoken() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", QUIET_MS);
    // With h2c on, the server answers the preface with a binary SETTINGS frame; off, Netty's HTTP/1
    // decoder refuses the unknown version as text.
    assertThat(reply.text()).contains("501 Not Implemented");
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void slowHeadersAreCutAtTheDeadline() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(200);
      OutputStream out = socket.getOutputStream();
      byte[] slow = "GET / HTTP/1.1\r\nHost: x\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
      boolean closed = false;
      for (int i = 0; i < slow.length && !closed; i++) {
        try {
          out.write(slow[i]);
          out.flush();
          closed = socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // the server said nothing in 200 ms: keep dripping
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      assertThat(closed).as("server closed the dripping connection").isTrue();
    }
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void silentConnectionIsClosed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      assertThat(RawHttp.readAll(socket).closedByServer()).isTrue();
    }
  }

  @Test
  void slowBodyGets408() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(
          "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Reply reply = RawHttp.readAll(socket);
      assertThat(reply.status()).isEqualTo(408);
      assertThat(reply.text()).contains("\"code\":\"request_timeout\"");
      assertThat(reply.closedByServer()).isTrue();
    }
  }

  @Test
  void streamLongerThanTheHeaderDeadlineIsNotCut() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", 3000,
        text -> text.contains("[DONE]"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).contains("data: [DONE]");
  }

  @Test
  void keepAliveServesSeveralRequestsWithinDeadlines() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(port,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
        QUIET_MS, text -> text.contains("ok:3"));
    assertThat(reply.responseCount()).isEqualTo(2);
    assertThat(reply.text()).contains("ok:2").contains("ok:3");
  }

  @Test
  void closedConnectionsLeaveNoWatchBehind() throws Exception {
    ServerLimits limits = ServerLimits.DEFAULTS;
    ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, limits);
    HttpServer server = vertx.createHttpServer(ServerHardening.apply(new HttpServerOptions(), limits))
        .connectionHandler(deadlines)
        .requestHandler(deadlines.track(req -> {
          req.response().end("ok");
          return null;
        }));
    int own = server.listen(0).await().actualPort();
    for (int i = 0; i < 20; i++) {
      RawHttp.exchange(own, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", QUIET_MS);
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (deadlines.watchedConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(deadlines.watchedConnections()).isZero();
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterItsResponse() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Reply reply = RawHttp.readAll(socket);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.closedByServer()).isTrue();
    }
  }
}
